import { labelSegments, rleToSegments, segmentsToRle } from '../rle-ops/rle-components';
import { decodeRle } from '../rle/rle-decode';
import { encodeMask } from '../rle/rle-encode';
import type { BinaryMask } from '../rle/rle.types';
import { farthestFromBoundary } from './distance-transform';
import { maskIou } from './mask-iou';

/** A simulated click at pixel (x, y); `positive` = foreground (label 1), else background (label 0). */
export interface Click {
  x: number;
  y: number;
  positive: boolean;
}

/**
 * An interactive segmenter (e.g. the SAM pipeline with point prompts): given all clicks so far
 * and the previous prediction's low-resolution logits (null on the first click), returns a binary
 * mask at image resolution and the low-resolution logits to feed back next time.
 */
export interface InteractiveSegmenter<LowRes = unknown> {
  /** `predictedIou`: the model's own estimate of the returned mask's IoU, when it makes one. */
  predict(clicks: readonly Click[], previousLowRes: LowRes | null): Promise<{ mask: BinaryMask; lowRes: LowRes; predictedIou?: number }>;
}

/** First click: the object pixel farthest from the object's boundary (null for an empty object). */
export function firstClick(gt: BinaryMask): Click | null {
  const c = farthestFromBoundary(gt);
  return c === null ? null : { x: c.x, y: c.y, positive: true };
}

/**
 * The next click (SAM paper §7.1 / RITM protocol, as the issue states it): the error regions are
 * the 8-connected components of false negatives (gt ∧ ¬pred) and of false positives
 * (pred ∧ ¬gt); the click goes to the pixel farthest from the boundary of the LARGEST region
 * (by pixel count; false negatives first on ties, then raster order), positive for a false
 * negative region, negative for a false positive one. `pred` null means no prediction yet
 * (→ `firstClick`). Null when the prediction is already exact. Pure function.
 */
export function nextClick(gt: BinaryMask, pred: BinaryMask | null): Click | null {
  if (pred === null) return firstClick(gt);
  if (gt.width !== pred.width || gt.height !== pred.height) {
    throw new RangeError(`nextClick: gt is ${gt.height}x${gt.width} but pred is ${pred.height}x${pred.width}`);
  }
  const n = gt.data.length;
  const fn = new Uint8Array(n);
  const fp = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    fn[i] = gt.data[i]! & (pred.data[i]! ^ 1);
    fp[i] = pred.data[i]! & (gt.data[i]! ^ 1);
  }
  const a = largestComponent({ height: gt.height, width: gt.width, data: fn });
  const b = largestComponent({ height: gt.height, width: gt.width, data: fp });
  const pick = a !== null && (b === null || a.area >= b.area) ? { region: a, positive: true } : b !== null ? { region: b, positive: false } : null;
  if (pick === null) return null;
  const c = farthestFromBoundary(pick.region.mask)!;
  return { x: c.x, y: c.y, positive: pick.positive };
}

function largestComponent(mask: BinaryMask): { mask: BinaryMask; area: number } | null {
  const seg = rleToSegments(encodeMask(mask));
  const comps = labelSegments(seg, 1, 8);
  if (comps.count === 0) return null;
  let best = 0;
  for (let c = 1; c < comps.count; c++) if (comps.area[c]! > comps.area[best]!) best = c;
  const rle = segmentsToRle(seg, (k) => (comps.componentOf[k] === best ? 1 : 0));
  return { mask: decodeRle(rle), area: comps.area[best]! };
}

export interface ClickSimulation {
  clicks: Click[];
  /** IoU after each click (index 0 = after the first click). */
  ious: number[];
  /** The model's predicted IoU of each returned mask (null where it gave none); one per click made. */
  predictedIous: (number | null)[];
}

/**
 * Runs `k` simulated clicks against `model`, feeding each prediction's low-res logits back. When a
 * prediction becomes exact no further click exists; the remaining IoUs repeat the last value.
 * `stopWhen(ious)` may end the run early (e.g. once NoC thresholds are met).
 */
export async function simulateClicks<L>(
  model: InteractiveSegmenter<L>,
  gt: BinaryMask,
  k: number,
  stopWhen?: (ious: readonly number[]) => boolean,
): Promise<ClickSimulation> {
  const clicks: Click[] = [];
  const ious: number[] = [];
  const predictedIous: (number | null)[] = [];
  let pred: BinaryMask | null = null;
  let lowRes: L | null = null;
  while (ious.length < k) {
    const click = nextClick(gt, pred);
    if (click === null) {
      ious.push(ious.length > 0 ? ious[ious.length - 1]! : 1);
      continue;
    }
    clicks.push(click);
    const out: { mask: BinaryMask; lowRes: L; predictedIou?: number } = await model.predict(clicks, lowRes);
    pred = out.mask;
    lowRes = out.lowRes;
    ious.push(maskIou(gt, pred));
    predictedIous.push(out.predictedIou ?? null);
    if (stopWhen?.(ious)) break;
  }
  return { clicks, ious, predictedIous };
}
