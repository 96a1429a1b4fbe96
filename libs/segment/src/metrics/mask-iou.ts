import type { BinaryMask } from '../rle/rle.types';

/** IoU of two same-size row-major masks; 1 when both are empty (a perfect empty prediction). */
export function maskIou(a: BinaryMask, b: BinaryMask): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`maskIou: masks differ in size (${a.height}x${a.width} vs ${b.height}x${b.width})`);
  }
  let inter = 0;
  let union = 0;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < da.length; i++) {
    inter += da[i]! & db[i]!;
    union += da[i]! | db[i]!;
  }
  return union === 0 ? 1 : inter / union;
}

/** Mean of per-object IoUs (NaN for an empty list). */
export function meanIou(ious: readonly number[]): number {
  return ious.length === 0 ? NaN : ious.reduce((s, v) => s + v, 0) / ious.length;
}

/** Pixels set in a binary mask. */
export function maskArea(mask: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) n += mask.data[i]!;
  return n;
}
