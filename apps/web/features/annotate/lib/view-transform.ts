// Zoom and pan as one affine transform (screen = image · scale + offset), so the canvas redraws a
// large image with a single setTransform + drawImage per layer instead of re-rasterising it.

export interface ViewTransform {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 32;
/** Multiplicative zoom per wheel "line" (deltaY 100 ≈ one notch). */
export const WHEEL_ZOOM_PER_100 = 1.15;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The whole image centred in the viewport, with a small margin. */
export function fitImage(image: Size, view: Size, margin = 16): ViewTransform {
  const scale = clamp(Math.min((view.width - 2 * margin) / image.width, (view.height - 2 * margin) / image.height), MIN_SCALE, MAX_SCALE);
  return { scale, offsetX: (view.width - image.width * scale) / 2, offsetY: (view.height - image.height * scale) / 2 };
}

export function screenToImage(t: ViewTransform, x: number, y: number): [number, number] {
  return [(x - t.offsetX) / t.scale, (y - t.offsetY) / t.scale];
}

export function imageToScreen(t: ViewTransform, x: number, y: number): [number, number] {
  return [x * t.scale + t.offsetX, y * t.scale + t.offsetY];
}

/** Zooms by `factor` keeping the image point under the screen point (x, y) where it is. */
export function zoomAt(t: ViewTransform, x: number, y: number, factor: number): ViewTransform {
  const scale = clamp(t.scale * factor, MIN_SCALE, MAX_SCALE);
  const [ix, iy] = screenToImage(t, x, y);
  return { scale, offsetX: x - ix * scale, offsetY: y - iy * scale };
}

/** Wheel delta (pixels) → zoom factor; up zooms in. */
export function wheelZoomFactor(deltaY: number): number {
  return Math.pow(WHEEL_ZOOM_PER_100, -deltaY / 100);
}

export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
  return { ...t, offsetX: t.offsetX + dx, offsetY: t.offsetY + dy };
}

/** Clamps an image point into the image (prompts outside it are refused by the decoder). */
export function clampToImage(image: Size, x: number, y: number): [number, number] {
  return [clamp(x, 0, image.width - 1), clamp(y, 0, image.height - 1)];
}
