import type { FloatTensor } from './inference-backend.types';

/** One prompt point in ORIGINAL image pixels. Label: 1 positive, 0 negative (−1, 2, 3 are accepted raw). */
export interface SamPoint {
  x: number;
  y: number;
  label: number;
}

/** XYXY box in original image pixels. */
export type BoxXyxy = readonly [x0: number, y0: number, x1: number, y1: number];

/** Everything that prompts one object (SAM-SPEC.md §1.2: one decoder call = one object). */
export interface SamPrompt {
  points?: readonly SamPoint[];
  box?: BoxXyxy | null;
  /** Previous low-res logits (`low_res_masks` channel, `S/4 × S/4`), fed back unchanged (§9.4). */
  maskInput?: Float32Array | null;
}

/** An encoder output plus the size of the image it was computed from (needed for `orig_im_size`). */
export interface ImageEmbedding {
  /** `[1, 256, 64, 64]` for SAM. */
  tensor: FloatTensor;
  imageHeight: number;
  imageWidth: number;
}
