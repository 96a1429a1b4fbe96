import { RleError } from '../rle/rle-error';
import { toUncompressedRle } from '../rle/rle-validate';
import type { Rle, RleSize, UncompressedRle } from '../rle/rle.types';

/**
 * Boolean algebra on run-length encodings (SAM-SPEC.md §4.1), computed on the runs themselves:
 * a two-pointer walk over both run lists, O(runs(a) + runs(b)), never touching pixels.
 * Both masks must have the same `[height, width]`; compressed strings are accepted and decoded.
 */

/** Pixel operator for `rleCombine`: foreground of a (0/1), foreground of b (0/1) → output bit. */
export type RleBitOp = (a: number, b: number) => number;

const OR: RleBitOp = (a, b) => a | b;
const AND: RleBitOp = (a, b) => a & b;
const AND_NOT: RleBitOp = (a, b) => a & (b ^ 1);

/** Checks that two RLEs describe masks of the same size; returns their validated counts. */
export function sameSizeCounts(a: Rle, b: Rle, what: string): [number[], number[], RleSize] {
  const ua = toUncompressedRle(a);
  const ub = toUncompressedRle(b);
  const [ha, wa] = ua.size;
  const [hb, wb] = ub.size;
  if (ha !== hb || wa !== wb) {
    throw new RleError(`${what}: RLE sizes differ ([${ha},${wa}] vs [${hb},${wb}]); both masks must be the same size`);
  }
  return [ua.counts, ub.counts, [ha, wa]];
}

/** Union (pycocotools `merge` with intersect=0). */
export function rleMerge(a: Rle, b: Rle): UncompressedRle {
  return rleCombine(a, b, OR, 'rleMerge');
}

/** Intersection (pycocotools `merge` with intersect=1). */
export function rleIntersect(a: Rle, b: Rle): UncompressedRle {
  return rleCombine(a, b, AND, 'rleIntersect');
}

/** `a` minus `b`: pixels in a and not in b. */
export function rleSubtract(a: Rle, b: Rle): UncompressedRle {
  return rleCombine(a, b, AND_NOT, 'rleSubtract');
}

/** Union of any number of same-size masks (left fold of `rleMerge`); at least one is required. */
export function rleMergeAll(rles: readonly Rle[]): UncompressedRle {
  if (rles.length === 0) throw new RleError('rleMergeAll: needs at least one RLE');
  let acc = toUncompressedRle(rles[0]!);
  for (let i = 1; i < rles.length; i++) acc = rleMerge(acc, rles[i]!);
  return { size: [acc.size[0], acc.size[1]], counts: acc.counts.slice() };
}

/** Applies `op` pixel-wise to two same-size masks; the result starts with a (possibly empty) zero run. */
export function rleCombine(a: Rle, b: Rle, op: RleBitOp, what = 'rleCombine'): UncompressedRle {
  const [ca, cb, size] = sameSizeCounts(a, b, what);
  const out: number[] = [];
  let outValue = 0;
  let outRun = 0;
  walkRuns(ca, cb, (len, va, vb) => {
    const v = op(va, vb) & 1;
    if (v === outValue) {
      outRun += len;
    } else {
      out.push(outRun);
      outValue = v;
      outRun = len;
    }
  });
  out.push(outRun);
  return { size, counts: out };
}

/**
 * Calls `visit(length, bitA, bitB)` for each maximal stretch where both masks are constant, in
 * column-major order. Zero-length runs are skipped (they only toggle the value).
 */
export function walkRuns(ca: readonly number[], cb: readonly number[], visit: (len: number, va: number, vb: number) => void): void {
  let ia = 0;
  let ib = 0;
  let remA = ca.length > 0 ? ca[0]! : 0;
  let remB = cb.length > 0 ? cb[0]! : 0;
  let va = 0;
  let vb = 0;
  for (;;) {
    while (remA === 0 && ia < ca.length - 1) {
      ia++;
      remA = ca[ia]!;
      va ^= 1;
    }
    while (remB === 0 && ib < cb.length - 1) {
      ib++;
      remB = cb[ib]!;
      vb ^= 1;
    }
    if (remA === 0 || remB === 0) return; // both exhausted together (sums are equal)
    const step = remA < remB ? remA : remB;
    visit(step, va, vb);
    remA -= step;
    remB -= step;
  }
}
