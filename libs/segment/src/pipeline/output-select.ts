import type { FloatTensor } from './inference-backend.types';
import { SAM_SINGLE_MASK_WEIGHTS } from './sam-constants';
import { InferenceError } from './segment-errors';

/** The decoder's three outputs (SAM-SPEC.md §1.3). */
export interface DecoderOutputs {
  masks: FloatTensor;
  iouPredictions: FloatTensor;
  lowResMasks: FloatTensor;
}

/**
 * How one mask is chosen when the candidates are not asked for (both are official SAM behaviour):
 * - `export`: the ONNX export's `return_single_mask` rule (§1.4), the default everywhere;
 * - `predictor`: channel 0 always, as `SamPredictor.predict(multimask_output=False)` in PyTorch.
 */
export type SingleMaskRule = 'export' | 'predictor';
export const SINGLE_MASK_RULES: readonly SingleMaskRule[] = ['export', 'predictor'];

/**
 * Which mask channels to return.
 * - `multimask = false`, rule `export` (default): the `return_single_mask` rule (§1.4):
 *   score_k = iou_k + (n − 2.5)·w_k with w = [1000, 0, 0, 0], argmax (first on ties). n ≤ 2 (one
 *   click + pad, or a box alone) → best of 1–3 by IoU; n ≥ 3 → channel 0.
 * - `multimask = false`, rule `predictor`: channel 0 (the official PyTorch predictor's
 *   `multimask_output=False`: the single-output token, whatever the prompt).
 * - `multimask = true`: the ambiguity candidates, channels 1–3 (PyTorch `multimask_output=True`).
 * A single-mask export (C = 1) always yields channel 0.
 */
export function selectMaskChannels(iou: Float32Array, numPoints: number, multimask: boolean, rule: SingleMaskRule = 'export'): number[] {
  const channels = iou.length;
  if (channels === 1) return [0];
  if (multimask) return Array.from({ length: channels - 1 }, (_, i) => i + 1);
  if (rule === 'predictor') return [0];
  let best = 0;
  let bestScore = -Infinity;
  for (let k = 0; k < channels; k++) {
    const score = iou[k]! + (numPoints - 2.5) * (SAM_SINGLE_MASK_WEIGHTS[k] ?? 0);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return [best];
}

export interface MaskChannel {
  channel: number;
  /** Full-resolution logits, `H × W` row-major: a VIEW into the decoder output. */
  logits: Float32Array;
  height: number;
  width: number;
  predictedIou: number;
  /** `S/4 × S/4` logits in the padded frame (a view): feed back as `maskInput`. */
  lowResLogits: Float32Array;
}

/** Checks the output shapes against the request and slices one channel (no copies). */
export function maskChannel(out: DecoderOutputs, channel: number, expected: { height: number; width: number; lowResSize: number }): MaskChannel {
  const [b, c, h, w] = out.masks.dims;
  if (out.masks.dims.length !== 4 || b !== 1 || h !== expected.height || w !== expected.width) {
    throw new InferenceError(`decoder output "masks" has shape [${out.masks.dims.join(', ')}], expected [1, C, ${expected.height}, ${expected.width}]`);
  }
  const lr = expected.lowResSize;
  const ld = out.lowResMasks.dims;
  if (ld.length !== 4 || ld[1] !== c || ld[2] !== lr || ld[3] !== lr) {
    throw new InferenceError(`decoder output "low_res_masks" has shape [${ld.join(', ')}], expected [1, ${String(c)}, ${lr}, ${lr}]`);
  }
  if (out.iouPredictions.data.length !== c) throw new InferenceError(`decoder output "iou_predictions" has ${out.iouPredictions.data.length} values for ${String(c)} masks`);
  const plane = h * w;
  const lrPlane = lr * lr;
  return {
    channel,
    logits: out.masks.data.subarray(channel * plane, (channel + 1) * plane),
    height: h,
    width: w,
    predictedIou: out.iouPredictions.data[channel]!,
    lowResLogits: out.lowResMasks.data.subarray(channel * lrPlane, (channel + 1) * lrPlane),
  };
}
