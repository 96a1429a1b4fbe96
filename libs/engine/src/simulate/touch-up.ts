// Brush and eraser touch-up after the click session, as the SAM paper's annotators refined masks
// (§4, assisted-manual stage): the error regions of the model's mask — 8-connected components of
// missed object pixels (brush) and of extra pixels (eraser) — are corrected largest first until the
// mask reaches the touch-up IoU. Each corrected region costs a stroke (move there, pick the tool)
// plus its length: a region is traced once along its length, modelled as half its perimeter.
import { maskIou, type BinaryMask } from '@dataengine/segment';
import type { TimeModel } from './simulation-options';

export interface TouchUp {
  /** The corrected mask (a new buffer; the model's mask is left as it was). */
  mask: BinaryMask;
  iou: number;
  /** Error regions painted or erased. */
  regions: number;
  /** Modelled stroke length in pixels (half the perimeter of each corrected region). */
  strokePixels: number;
  seconds: number;
}

interface ErrorRegion {
  pixels: Int32Array;
  /** 1: missed object pixels (brush), 0: extra pixels (eraser) — the value the correction writes. */
  value: 0 | 1;
  perimeter: number;
  /** Raster index of its first pixel: the deterministic tie-break. */
  first: number;
}

/** The 8-connected error regions of `pred` against `gt`, each with its 4-neighbour perimeter. */
export function errorRegions(gt: BinaryMask, pred: BinaryMask): ErrorRegion[] {
  const { width: w, height: h } = gt;
  if (pred.width !== w || pred.height !== h) throw new RangeError(`touch-up: gt is ${h}x${w} but the mask is ${pred.height}x${pred.width}`);
  const n = w * h;
  const wrong = new Uint8Array(n);
  for (let i = 0; i < n; i++) wrong[i] = gt.data[i]! ^ pred.data[i]!;
  const label = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const regions: ErrorRegion[] = [];
  for (let start = 0; start < n; start++) {
    if (!wrong[start] || label[start] !== -1) continue;
    const value = gt.data[start] as 0 | 1;
    const id = regions.length;
    const pixels: number[] = [];
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    while (top > 0) {
      const p = stack[--top]!;
      pixels.push(p);
      const y = (p / w) | 0;
      const x = p - y * w;
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        if (nx < 0 || nx >= w) continue;
        for (let dy = -1; dy <= 1; dy++) {
          const ny = y + dy;
          if ((dx === 0 && dy === 0) || ny < 0 || ny >= h) continue;
          const q = ny * w + nx;
          if (wrong[q] && label[q] === -1 && gt.data[q] === value) {
            label[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    let perimeter = 0;
    for (const p of pixels) {
      const y = (p / w) | 0;
      const x = p - y * w;
      if (x === 0 || label[p - 1] !== id) perimeter++;
      if (x === w - 1 || label[p + 1] !== id) perimeter++;
      if (y === 0 || label[p - w] !== id) perimeter++;
      if (y === h - 1 || label[p + w] !== id) perimeter++;
    }
    regions.push({ pixels: Int32Array.from(pixels), value, perimeter, first: start });
  }
  return regions;
}

/**
 * Corrects the error regions of `pred`, largest first, until its IoU with `gt` is at least
 * `targetIou` (1: until it equals the ground truth).
 */
export function touchUpMask(gt: BinaryMask, pred: BinaryMask, targetIou: number, time: Pick<TimeModel, 'secondsPerStroke' | 'secondsPerStrokePixel'>): TouchUp {
  const data = Uint8Array.from(pred.data);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < data.length; i++) {
    inter += gt.data[i]! & data[i]!;
    union += gt.data[i]! | data[i]!;
  }
  const iouOf = () => (union === 0 ? 1 : inter / union);
  let regions = 0;
  let strokePixels = 0;
  if (iouOf() < targetIou) {
    const largestFirst = errorRegions(gt, pred).sort((a, b) => b.pixels.length - a.pixels.length || a.first - b.first);
    for (const region of largestFirst) {
      if (iouOf() >= targetIou) break;
      for (const p of region.pixels) data[p] = region.value;
      // a brushed region joins the intersection; an erased one leaves the union
      if (region.value === 1) inter += region.pixels.length;
      else union -= region.pixels.length;
      regions++;
      strokePixels += region.perimeter / 2;
    }
  }
  const mask: BinaryMask = { width: pred.width, height: pred.height, data };
  return { mask, iou: maskIou(gt, mask), regions, strokePixels, seconds: regions * time.secondsPerStroke + strokePixels * time.secondsPerStrokePixel };
}
