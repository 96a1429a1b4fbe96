// The focus view of the annotator tool (and of the simulated annotator): when the annotator zooms in, the part of the image on screen is embedded on its
// own (the encoder sees it at up to 1024 px on its long side instead of the share it has of the
// whole image), so small objects get the detail the annotator is looking at. Masks made there are
// decoded in the region's frame and pasted back into the image. The focus view is for small objects:
// the first prompt is decoded on the whole image, and the region takes over only when that mask is
// small (focusSuits); an object that runs past the region's edge is made again on the whole image
// (the region would cut it off).
import type { BinaryMask } from '../rle/rle.types';
import type { BoxXyxy } from './prompt.types';
import { SAM_IMAGE_SIZE } from './sam-constants';

/**
 * A frame masks are held in: `width × height` pixels showing the image from (x0, y0) at scale
 * (sx, sy) — x_frame = (x_image − x0) · sx. The whole image at full size is (0, 0, 1, 1).
 */
export interface MaskFrame {
  width: number;
  height: number;
  sx: number;
  sy: number;
  x0: number;
  y0: number;
}

/** The frame of a region at full size (what the decoder returns for a region of at most 1024 px). */
export const regionAtFullSize = (r: FocusRegion): MaskFrame => ({ width: r.width, height: r.height, sx: 1, sy: 1, x0: r.x0, y0: r.y0 });

/** A rectangle of the image in whole image pixels. */
export interface FocusRegion {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** The focus view starts when the model would see the visible part at least this much larger. */
export const FOCUS_MIN_GAIN = 1.5;
/** Smallest region embedded (image px; a deep zoom embeds at least this much around the centre). */
export const FOCUS_MIN_SIDE = 48;
/**
 * The focus view is used for objects the whole-image model sees at no more than this many pixels
 * of its 1024 frame (about 77 × 77): 1500 px of a 512 × 384 image, where bench:clicks measured the
 * gain (−18 % clicks for a retrained checkpoint); larger objects came out worse upscaled (the
 * models are trained on whole images).
 */
export const FOCUS_MAX_FRAME_AREA = 6000;

/** Whether an object of `area` image pixels is small enough for the focus view (FOCUS_MAX_FRAME_AREA). */
export function focusSuits(area: number, width: number, height: number, maxFrameArea: number = FOCUS_MAX_FRAME_AREA): boolean {
  const k = SAM_IMAGE_SIZE / Math.max(width, height);
  return area > 0 && area * k * k <= maxFrameArea;
}

/**
 * The region to embed for a view showing `visible` (image px, may reach past the image), or null
 * when the view shows too much of the image for a focus to add detail (less than `minGain`).
 */
export function focusRegion(visible: BoxXyxy, width: number, height: number, minGain: number = FOCUS_MIN_GAIN): FocusRegion | null {
  let x0 = Math.max(0, Math.floor(visible[0]));
  let y0 = Math.max(0, Math.floor(visible[1]));
  let x1 = Math.min(width, Math.ceil(visible[2]));
  let y1 = Math.min(height, Math.ceil(visible[3]));
  if (x1 <= x0 || y1 <= y0) return null;
  if (Math.max(x1 - x0, y1 - y0) * minGain > Math.max(width, height)) return null;
  [x0, x1] = grow(x0, x1, Math.min(FOCUS_MIN_SIDE, width), width);
  [y0, y1] = grow(y0, y1, Math.min(FOCUS_MIN_SIDE, height), height);
  return { x0, y0, width: x1 - x0, height: y1 - y0 };
}

/** [lo, hi) widened about its centre to at least `side`, kept inside [0, limit). */
function grow(lo: number, hi: number, side: number, limit: number): [number, number] {
  if (hi - lo >= side) return [lo, hi];
  const start = Math.min(limit - side, Math.max(0, Math.round((lo + hi - side) / 2)));
  return [start, start + side];
}

/** How much larger the model sees the region than in the whole-image embedding. */
export function focusGain(region: FocusRegion, width: number, height: number): number {
  return Math.max(width, height) / Math.max(region.width, region.height);
}

export const sameRegion = (a: FocusRegion | null, b: FocusRegion | null): boolean =>
  a === b || (a !== null && b !== null && a.x0 === b.x0 && a.y0 === b.y0 && a.width === b.width && a.height === b.height);

/** Whether every click and the box lie in the region (a prompt outside it needs the whole image). */
export function promptsInside(region: FocusRegion, points: readonly { x: number; y: number }[], box: BoxXyxy | null): boolean {
  const inX = (x: number) => x >= region.x0 && x <= region.x0 + region.width;
  const inY = (y: number) => y >= region.y0 && y <= region.y0 + region.height;
  return points.every((p) => inX(p.x) && inY(p.y)) && (!box || (inX(box[0]) && inX(box[2]) && inY(box[1]) && inY(box[3])));
}

/**
 * `mask` (in frame `from`) drawn into frame `to`, nearest pixel; outside `from`'s area the result
 * is empty. Both frames map image pixels the same way (x_frame = (x − x0) · sx).
 */
export function pasteMask(mask: BinaryMask, from: MaskFrame, to: MaskFrame): { mask: BinaryMask; area: number } {
  const data = new Uint8Array(to.width * to.height);
  const fromW = from.width / from.sx; // the image pixels `from` covers
  const fromH = from.height / from.sy;
  const u0 = Math.max(0, Math.floor((from.x0 - to.x0) * to.sx));
  const u1 = Math.min(to.width, Math.ceil((from.x0 + fromW - to.x0) * to.sx));
  const v0 = Math.max(0, Math.floor((from.y0 - to.y0) * to.sy));
  const v1 = Math.min(to.height, Math.ceil((from.y0 + fromH - to.y0) * to.sy));
  const cols = new Int32Array(Math.max(0, u1 - u0));
  for (let u = u0; u < u1; u++) cols[u - u0] = Math.floor((to.x0 + (u + 0.5) / to.sx - from.x0) * from.sx);
  let area = 0;
  for (let v = v0; v < v1; v++) {
    const fy = Math.floor((to.y0 + (v + 0.5) / to.sy - from.y0) * from.sy);
    if (fy < 0 || fy >= mask.height) continue;
    const src = fy * mask.width;
    const row = v * to.width;
    for (let u = u0; u < u1; u++) {
      const fx = cols[u - u0]!;
      if (fx >= 0 && fx < mask.width && mask.data[src + fx]) {
        data[row + u] = 1;
        area++;
      }
    }
  }
  return { mask: { width: to.width, height: to.height, data }, area };
}

/**
 * Whether a mask decoded in the region runs into one of the region's edges that is not also an
 * edge of the image — the object goes on past what the model saw (at least `minRun` pixels of the
 * edge, so a stray pixel does not count).
 */
export function touchesRegionEdge(mask: BinaryMask, region: FocusRegion, width: number, height: number, minRun: number = 3): boolean {
  const { width: w, height: h, data } = mask;
  const count = (at: (i: number) => number, n: number) => {
    let c = 0;
    for (let i = 0; i < n; i++) c += data[at(i)]!;
    return c;
  };
  if (region.y0 > 0 && count((i) => i, w) >= minRun) return true;
  if (region.y0 + region.height < height && count((i) => (h - 1) * w + i, w) >= minRun) return true;
  if (region.x0 > 0 && count((i) => i * w, h) >= minRun) return true;
  if (region.x0 + region.width < width && count((i) => i * w + w - 1, h) >= minRun) return true;
  return false;
}

/** The region's part of a mask at the image's full size. */
export function cropMask(full: BinaryMask, region: FocusRegion): BinaryMask {
  const data = new Uint8Array(region.width * region.height);
  for (let y = 0; y < region.height; y++) {
    const src = (region.y0 + y) * full.width + region.x0;
    data.set(full.data.subarray(src, src + region.width), y * region.width);
  }
  return { width: region.width, height: region.height, data };
}

/**
 * The view an annotator zooms to for an object of box `box` (XYXY, exclusive ends): the box grown
 * by `margin` of its longer side on each side, square, at least `minSide`, inside the image.
 */
export function zoomWindow(box: BoxXyxy, width: number, height: number, margin: number = 1, minSide: number = 128): BoxXyxy {
  const [x0, y0, x1, y1] = box;
  const side = Math.max(minSide, (1 + 2 * margin) * Math.max(x1 - x0, y1 - y0));
  const w = Math.min(width, Math.round(side));
  const h = Math.min(height, Math.round(side));
  const cx = Math.max(0, Math.min(width - w, Math.round((x0 + x1 - 1) / 2 - w / 2)));
  const cy = Math.max(0, Math.min(height - h, Math.round((y0 + y1 - 1) / 2 - h / 2)));
  return [cx, cy, cx + w, cy + h];
}
