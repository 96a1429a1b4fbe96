/**
 * Numbers fixed by the SAM contract, each with the section of SAM-SPEC.md it comes from.
 * A bundle manifest may override the pre-processing ones (image size, mean/std, embedding shape);
 * these are the SAM preset and the defaults.
 */

/** Encoder input side: the padded long-side-1024 frame (§2.1). */
export const SAM_IMAGE_SIZE = 1024;
/** RGB, 0–255 scale (`build_sam.py`, §2.1 step 3). */
export const SAM_PIXEL_MEAN: readonly [number, number, number] = [123.675, 116.28, 103.53];
export const SAM_PIXEL_STD: readonly [number, number, number] = [58.395, 57.12, 57.375];
/** Image embedding `[C, H, W]` without the batch axis (§1.2). */
export const SAM_EMBEDDING_SHAPE: readonly [number, number, number] = [256, 64, 64];
/** Side of `mask_input` / `low_res_masks` (§1.2, §1.3). */
export const SAM_LOW_RES_SIZE = 256;
/** Default export: token 0 = single/multi-prompt mask, tokens 1–3 = ambiguity masks (§1.3). */
export const SAM_MASK_CHANNELS = 4;
/** Binarise logits with `> 0.0`, strictly (§1.3, `Sam.mask_threshold`). */
export const SAM_MASK_THRESHOLD = 0;
/** Logit offset of the stability score (§3.1 `stability_score_offset`). */
export const SAM_STABILITY_OFFSET = 1;
/** `return_single_mask` weights: score_k = iou_k + (n − 2.5) · w_k (§1.4). */
export const SAM_SINGLE_MASK_WEIGHTS: readonly number[] = [1000, 0, 0, 0];

/** Point labels of the decoder (§1.2). */
export const POINT_LABEL = { padding: -1, negative: 0, positive: 1, boxTopLeft: 2, boxBottomRight: 3 } as const;
export type PointLabel = (typeof POINT_LABEL)[keyof typeof POINT_LABEL];

/** Official decoder input names, in export order (§1.2). */
export const DECODER_INPUT_NAMES = ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'] as const;
/** Official decoder output names (§1.3). */
export const DECODER_OUTPUT_NAMES = ['masks', 'iou_predictions', 'low_res_masks'] as const;
/** samexporter's encoder names (§2.4, mode without pre-processing). */
export const SAM_ENCODER_INPUT_NAME = 'input_image';
export const SAM_ENCODER_OUTPUT_NAME = 'image_embeddings';
