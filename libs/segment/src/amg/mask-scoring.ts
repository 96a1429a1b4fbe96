import { AMG_MASK_THRESHOLD, CROP_EDGE_ATOL } from './amg-options';
import type { CropBoxXyxy } from './crop-boxes';

/**
 * Per-mask computations on one logit map of a multimask output (SAM-SPEC.md §3.2–3.4). A logit
 * map is `height × width` floats at `offset` in a larger buffer, row-major.
 */

/**
 * Stability score (§3.3): `#{L > t + o} / #{L > t − o}` with t = 0.0. Empty low set (0/0, NaN
 * upstream, which then fails `≥`) is defined as 0. The quotient is rounded to float32 as torch
 * produces it (exact: double rounding of a quotient is innocuous, and counts below 2^24 are exact).
 */
export function amgStabilityScore(logits: Float32Array, offset: number, length: number, stabilityOffset: number): number {
  const hi = AMG_MASK_THRESHOLD + stabilityOffset;
  const lo = AMG_MASK_THRESHOLD - stabilityOffset;
  let inter = 0;
  let union = 0;
  for (let i = offset, e = offset + length; i < e; i++) {
    const v = logits[i]!;
    if (v > lo) {
      union++;
      if (v > hi) inter++;
    }
  }
  return union === 0 ? 0 : Math.fround(inter / union);
}

/**
 * Threshold comparisons as torch makes them: a float32 tensor compared with a Python float casts
 * the threshold to float32 (e.g. a stability of exactly float32(0.95) passes `≥ 0.95`).
 */
export function passesPredIou(iou: number, thresh: number): boolean {
  return Math.fround(iou) > Math.fround(thresh);
}

export function passesStability(score: number, thresh: number): boolean {
  return Math.fround(score) >= Math.fround(thresh);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Binarises `logit > 0` (SAM-SPEC.md §1.3, strict) for `length` logits at `offset` into `out`
 * (0/1 bytes), and returns the stability score (§3.3, as `amgStabilityScore`) of the same logits —
 * one pass over the map instead of two. Four pixels are packed per 32-bit store, which V8 runs
 * several times faster than byte stores of a comparison. Works for any `out` alignment.
 */
export function thresholdLogitsInto(logits: Float32Array, offset: number, length: number, stabilityOffset: number, out: Uint8Array): number {
  const hi = AMG_MASK_THRESHOLD + stabilityOffset;
  const lo = AMG_MASK_THRESHOLD - stabilityOffset;
  const t = AMG_MASK_THRESHOLD;
  let inter = 0;
  let union = 0;
  let i = 0;
  if (LITTLE_ENDIAN && (out.byteOffset & 3) === 0) {
    const words = new Uint32Array(out.buffer, out.byteOffset, length >>> 2);
    for (let j = 0, p = offset; j < words.length; j++, p += 4) {
      const v0 = logits[p]!;
      const v1 = logits[p + 1]!;
      const v2 = logits[p + 2]!;
      const v3 = logits[p + 3]!;
      words[j] = (v0 > t ? 1 : 0) | (v1 > t ? 0x100 : 0) | (v2 > t ? 0x10000 : 0) | (v3 > t ? 0x1000000 : 0);
      if (v0 > lo) {
        union++;
        if (v0 > hi) inter++;
      }
      if (v1 > lo) {
        union++;
        if (v1 > hi) inter++;
      }
      if (v2 > lo) {
        union++;
        if (v2 > hi) inter++;
      }
      if (v3 > lo) {
        union++;
        if (v3 > hi) inter++;
      }
    }
    i = words.length * 4;
  }
  for (; i < length; i++) {
    const v = logits[offset + i]!;
    out[i] = v > t ? 1 : 0;
    if (v > lo) {
      union++;
      if (v > hi) inter++;
    }
  }
  return union === 0 ? 0 : Math.fround(inter / union);
}

/**
 * `is_box_near_crop_edge` (§3.2 step 3g): the crop-local box is shifted to image coordinates and
 * each coordinate compared with the crop box and with `[0, 0, W, H]` using `|a − b| ≤ atol`
 * (rtol 0). True when some coordinate is near the crop edge but not near the image edge — such a
 * mask is dropped. For the layer-0 crop the two boxes coincide, so nothing is ever dropped.
 */
export function isBoxNearCropEdge(box: readonly number[], crop: CropBoxXyxy, imageW: number, imageH: number, atol = CROP_EDGE_ATOL): boolean {
  const image = [0, 0, imageW, imageH];
  const shift = [crop[0], crop[1], crop[0], crop[1]];
  for (let k = 0; k < 4; k++) {
    const v = box[k]! + shift[k]!;
    const nearCrop = Math.abs(v - crop[k]!) <= atol;
    const nearImage = Math.abs(v - image[k]!) <= atol;
    if (nearCrop && !nearImage) return true;
  }
  return false;
}
