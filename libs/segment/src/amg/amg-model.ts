import type { RgbImage } from '../pipeline/index';
import type { CropBoxXyxy } from './crop-boxes';

/**
 * What SamAutomaticMaskGenerator needs from a model (SAM-SPEC.md §3.2 "Per crop"): embed one crop,
 * then decode single-point prompts with multimask output and logits. An ONNX implementation embeds
 * the crop (resized to long side 1024 inside), and per point feeds the point (label 1, plus the
 * padding point) and returns channels 1–3 of the 4-mask decoder output at crop resolution — the
 * official decoder has batch 1, so it makes one decoder call per point; `points_per_batch` only
 * bounds how many points (and logit maps) are in flight at once.
 */
export interface AmgModel<Handle = unknown> {
  /**
   * Encodes a crop of the image (RGB or RGBA, row-major). The handle stays valid until `release`.
   * `context` says where the crop lies (for logs and caches; a real model needs only the pixels).
   */
  embedCrop(crop: RgbImage, context: AmgCropContext): Promise<Handle>;
  /**
   * Decodes each point (x, y in crop pixels, label 1) as its own prompt. Returns
   * `AMG_MASKS_PER_POINT` logit maps per point, point-major, at the crop's resolution.
   */
  predictMultimask(handle: Handle, points: ReadonlyArray<readonly [x: number, y: number]>): Promise<MultimaskPrediction>;
  /** Frees the embedding (upstream: `predictor.reset_image()`). */
  release(handle: Handle): void | Promise<void>;
  /**
   * The most points one `predictMultimask` call should get (default: no limit beyond
   * `points_per_batch` and the generator's memory bound). A batch-1 ONNX decoder says 1: it can then
   * return views onto the decoder output instead of copying every point's logits into one buffer.
   */
  readonly maxPointsPerCall?: number;
}

/** Ambiguity masks per point prompt (multimask output, decoder channels 1–3; SAM-SPEC.md §1.3). */
export const AMG_MASKS_PER_POINT = 3;

export interface MultimaskPrediction {
  /** Number of points decoded (= `points.length`). */
  count: number;
  /** Crop height and width: the logits are at crop resolution. */
  height: number;
  width: number;
  /**
   * Un-thresholded logits, `count × 3 × height × width`, each map row-major. The generator is done
   * with `logits` and `iou` before it makes the next call, so implementations may reuse buffers.
   * Absent when `lowRes` is given.
   */
  logits?: Float32Array;
  /**
   * Instead of `logits`: the decoder's low-res logits, `count × 3 × size × size` in the padded
   * `imageSize` frame (SAM-SPEC.md §1.5). The generator upscales only the masks that pass the
   * predicted-IoU filter (`summarizeLowResChannel`: same masks and stability scores, to float32
   * rounding, as the in-graph upscale).
   */
  lowRes?: { data: Float32Array; size: number; imageSize: number };
  /** Predicted IoU per mask, `count × 3` (float32 values). */
  iou: Float32Array;
}

/** Where a crop lies in the image being processed. */
export interface AmgCropContext {
  /** `[x0, y0, x1, y1]`, end exclusive, image pixels. */
  cropBox: CropBoxXyxy;
  /** Crop layer (0 = full image). */
  layer: number;
  imageWidth: number;
  imageHeight: number;
}

export type { RgbImage };
