import type { BinaryMask } from '../rle/rle.types';
import { SAM_MASK_THRESHOLD, SAM_STABILITY_OFFSET } from './sam-constants';

/** Row-major binary mask of `logit > threshold` (strict, SAM-SPEC.md §1.3). */
export function binarizeLogits(logits: Float32Array, height: number, width: number, threshold: number = SAM_MASK_THRESHOLD): BinaryMask {
  if (logits.length !== height * width) throw new RangeError(`logits have ${logits.length} values, expected ${height}×${width}`);
  const data = new Uint8Array(logits.length);
  for (let i = 0; i < logits.length; i++) data[i] = logits[i]! > threshold ? 1 : 0;
  return { height, width, data };
}

/**
 * SAM-SPEC.md §3.3: #{L > t + o} / #{L > t − o}, the IoU of the two binarisations. 0/0 (no pixel
 * above t − o) is defined as 0 so that a `≥` filter rejects it, as PyTorch's NaN would.
 */
export function stabilityScore(logits: Float32Array, threshold: number = SAM_MASK_THRESHOLD, offset: number = SAM_STABILITY_OFFSET): number {
  const hi = threshold + offset;
  const lo = threshold - offset;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > lo) {
      union++;
      if (v > hi) inter++;
    }
  }
  return union === 0 ? 0 : inter / union;
}

export interface LogitMaskSummary {
  mask: BinaryMask;
  area: number;
  stabilityScore: number;
}

/** Binarises and scores one logit map in a single pass (what the pipeline does per returned mask). */
export function summarizeLogits(
  logits: Float32Array,
  height: number,
  width: number,
  threshold: number = SAM_MASK_THRESHOLD,
  offset: number = SAM_STABILITY_OFFSET,
): LogitMaskSummary {
  const n = height * width;
  if (logits.length !== n) throw new RangeError(`logits have ${logits.length} values, expected ${height}×${width}`);
  const data = new Uint8Array(n);
  const hi = threshold + offset;
  const lo = threshold - offset;
  let area = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (v > lo) {
      union++;
      if (v > threshold) {
        data[i] = 1;
        area++;
        if (v > hi) inter++;
      }
    }
  }
  // offset ≥ 0 keeps the high set inside the mask; a negative offset is still computed exactly
  if (offset < 0) return { mask: { height, width, data }, area, stabilityScore: stabilityScore(logits, threshold, offset) };
  return { mask: { height, width, data }, area, stabilityScore: union === 0 ? 0 : inter / union };
}
