import type { Rle } from '../rle/rle.types';
import { sameSizeCounts } from './rle-boolean';

/**
 * Overlap measures on run-length encodings (SAM-SPEC.md §4.1) without decoding: one merge-walk
 * over the foreground intervals of both masks. pycocotools `iou` semantics (non-crowd): an empty
 * union gives IoU 0.
 */

export interface RleOverlap {
  intersection: number;
  union: number;
  areaA: number;
  areaB: number;
}

/** Intersection, union and both areas in one pass. */
export function rleOverlap(a: Rle, b: Rle): RleOverlap {
  const [ca, cb] = sameSizeCounts(a, b, 'rleOverlap');
  let areaA = 0;
  let areaB = 0;
  for (let j = 1; j < ca.length; j += 2) areaA += ca[j]!;
  for (let j = 1; j < cb.length; j += 2) areaB += cb[j]!;
  const intersection = foregroundIntersection(ca, cb);
  return { intersection, union: areaA + areaB - intersection, areaA, areaB };
}

export function rleIntersectionArea(a: Rle, b: Rle): number {
  const [ca, cb] = sameSizeCounts(a, b, 'rleIntersectionArea');
  return foregroundIntersection(ca, cb);
}

export function rleUnionArea(a: Rle, b: Rle): number {
  return rleOverlap(a, b).union;
}

/** Intersection over union; 0 when both masks are empty. */
export function rleIou(a: Rle, b: Rle): number {
  const { intersection, union } = rleOverlap(a, b);
  return union > 0 ? intersection / union : 0;
}

/**
 * Sum of overlaps of the foreground intervals `[start, end)` of both run lists: a sorted-interval
 * sweep that skips background runs entirely.
 */
function foregroundIntersection(ca: readonly number[], cb: readonly number[]): number {
  let ia = 1;
  let ib = 1;
  let sa = ca[0] ?? 0; // start of a's current foreground run
  let sb = cb[0] ?? 0;
  let inter = 0;
  while (ia < ca.length && ib < cb.length) {
    const ea = sa + ca[ia]!;
    const eb = sb + cb[ib]!;
    const lo = sa > sb ? sa : sb;
    const hi = ea < eb ? ea : eb;
    if (hi > lo) inter += hi - lo;
    if (ea <= eb) {
      sa = ea + (ca[ia + 1] ?? 0);
      ia += 2;
    } else {
      sb = eb + (cb[ib + 1] ?? 0);
      ib += 2;
    }
  }
  return inter;
}
