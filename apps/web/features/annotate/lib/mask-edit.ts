// Brush and eraser on a binary mask (row-major, image pixels), and the colours masks are drawn in.
import type { BinaryMask } from '@dataengine/segment';
import type { BrushStroke } from './prompt-reducer';

export const BRUSH_MIN = 1;
export const BRUSH_MAX = 200;
export const BRUSH_DEFAULT = 8;

/** `[` and `]` step the brush radius by about 20 %, at least 1 px. */
export function stepBrush(radius: number, direction: 1 | -1): number {
  const next = direction > 0 ? Math.max(radius + 1, Math.round(radius * 1.2)) : Math.min(radius - 1, Math.round(radius / 1.2));
  return Math.min(BRUSH_MAX, Math.max(BRUSH_MIN, next));
}

function stampDisc(data: Uint8Array, width: number, height: number, cx: number, cy: number, r: number, value: 0 | 1): void {
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(width - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(height - 1, Math.ceil(cy + r));
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    const row = y * width;
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      if (dx * dx + dy * dy <= r2) data[row + x] = value;
    }
  }
}

/** Paints one stroke: discs along each segment, spaced at most half a radius apart. */
export function applyStroke(mask: BinaryMask, stroke: BrushStroke): void {
  const value = stroke.mode === 'paint' ? 1 : 0;
  const step = Math.max(0.5, stroke.radius / 2);
  const pts = stroke.points;
  if (pts.length === 1) stampDisc(mask.data, mask.width, mask.height, pts[0]![0], pts[0]![1], stroke.radius, value);
  for (let i = 1; i < pts.length; i++) {
    const [ax, ay] = pts[i - 1]!;
    const [bx, by] = pts[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / step));
    for (let k = 0; k <= n; k++) stampDisc(mask.data, mask.width, mask.height, ax + ((bx - ax) * k) / n, ay + ((by - ay) * k) / n, stroke.radius, value);
  }
}

/** The base mask (decoder output or a saved mask; none = empty) with the strokes applied, as a new mask. */
export function composeMask(base: BinaryMask | null, width: number, height: number, strokes: readonly BrushStroke[]): BinaryMask {
  // nothing to apply: the base itself (masks are never mutated once made)
  if (strokes.length === 0 && base && base.width === width && base.height === height) return base;
  const data = base ? base.data.slice() : new Uint8Array(width * height);
  const mask = { width, height, data };
  for (const stroke of strokes) applyStroke(mask, stroke);
  return mask;
}

export { maskArea } from '@dataengine/segment';

/** Distinct, colour-blind-friendly-ish hues for saved masks (Okabe–Ito order, then repeats). */
export const MASK_COLOURS: readonly [number, number, number][] = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [240, 228, 66],
  [0, 114, 178],
  [213, 94, 0],
  [204, 121, 167],
  [150, 110, 230],
];
/** The mask being made (the SAM demo's blue). */
export const CURRENT_COLOUR: [number, number, number] = [0, 114, 189];

export const maskColour = (index: number): [number, number, number] => MASK_COLOURS[index % MASK_COLOURS.length]!;

export const cssColour = ([r, g, b]: readonly [number, number, number], alpha = 1): string => `rgb(${r} ${g} ${b} / ${alpha})`;

/** [x0, y0, x1, y1], inclusive pixel bounds. */
export type PixelRect = readonly [number, number, number, number];

/** The smallest rectangle holding every set pixel of the masks (all of one size), or null when none is set. */
export function maskBounds(masks: readonly BinaryMask[]): PixelRect | null {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (const { data, width, height } of masks) {
    for (let y = 0; y < height; y++) {
      const row = data.subarray(y * width, (y + 1) * width);
      const first = row.indexOf(1);
      if (first < 0) continue;
      const last = row.lastIndexOf(1);
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (first < x0) x0 = first;
      if (last > x1) x1 = last;
    }
  }
  return y1 < 0 ? null : [x0, y0, x1, y1];
}

/**
 * Writes `mask` into an RGBA buffer in one colour (alpha 0–255) where it is set: the whole mask, or
 * only `rect` of it into a buffer of the rectangle's size.
 */
export function paintMaskRgba(rgba: Uint8ClampedArray, mask: BinaryMask, [r, g, b]: readonly [number, number, number], alpha: number, rect: PixelRect = [0, 0, mask.width - 1, mask.height - 1]): void {
  const d = mask.data;
  // one 32-bit write per pixel (RGBA bytes in memory order on a little-endian machine, as every browser runs)
  const pixels = new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.length >> 2);
  const packed = ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
  const [x0, y0, x1, y1] = rect;
  const w = x1 - x0 + 1;
  for (let y = y0; y <= y1; y++) {
    const src = y * mask.width + x0;
    const dst = (y - y0) * w;
    for (let i = 0; i < w; i++) if (d[src + i]) pixels[dst + i] = packed;
  }
}
