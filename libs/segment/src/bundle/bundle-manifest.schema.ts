import { z } from 'zod';
import { SAM_EMBEDDING_SHAPE, SAM_ENCODER_INPUT_NAME, SAM_ENCODER_OUTPUT_NAME, SAM_IMAGE_SIZE, SAM_LOW_RES_SIZE, SAM_MASK_CHANNELS, SAM_PIXEL_MEAN, SAM_PIXEL_STD } from '../pipeline/sam-constants';
import type { SamPipelineConfig } from '../pipeline/sam-predictor';

/**
 * `manifest.json` of a checkpoint bundle (directory: manifest.json + encoder.onnx + decoder.onnx
 * [+ detector.onnx]). snake_case because the Python trainer writes it too. Documented for humans in
 * docs/checkpoint-bundle.md — keep both in step.
 */
export const BUNDLE_FORMAT = 'dataengine-checkpoint-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const BUNDLE_FILES = { manifest: 'manifest.json', encoder: 'encoder.onnx', decoder: 'decoder.onnx', detector: 'detector.onnx' } as const;

const positiveInt = z.number().int().positive();
const rgbTriple = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);
const dims4 = z.tuple([positiveInt, positiveInt, positiveInt, positiveInt]);

/**
 * Box-detector head (stage 2). Input: the image embedding; outputs on the embedding grid (cell
 * (i, j) centred at ((j + 0.5)·S/64, (i + 0.5)·S/64) in the padded S-frame):
 * - `objectness` `[1, 1, 64, 64]`: per-cell score, a logit (`score: "logit"`, apply sigmoid) or a probability;
 * - `boxes` `[1, 4, 64, 64]`: per-cell box in the padded S-frame pixels, as
 *   `box_format = "ltrb"` (distances left, top, right, bottom from the cell centre) or
 *   `"xyxy"` (absolute corners). Map to original pixels with the rounded-size scale (SAM-SPEC.md §2.2).
 */
export const detectorContractSchema = z.looseObject({
  input: z.string().min(1).default('image_embeddings'),
  outputs: z.object({ objectness: dims4.default([1, 1, 64, 64]), boxes: dims4.default([1, 4, 64, 64]) }).default({ objectness: [1, 1, 64, 64], boxes: [1, 4, 64, 64] }),
  box_format: z.enum(['ltrb', 'xyxy']),
  score: z.enum(['logit', 'probability']).default('logit'),
});

export const lineageSchema = z.object({
  /** Name/id of the checkpoint this one was trained from; null for a root (imported or from scratch). */
  parent: z.string().nullable().default(null),
  /** Dataset snapshot id the checkpoint was trained on; null when unknown (imported). */
  snapshot_id: z.string().nullable().default(null),
  /** Evaluation numbers (e.g. miou_1click, noc_85, box_ap50). */
  metrics: z.record(z.string(), z.number()).default({}),
  /** ISO-8601 creation time. */
  created: z.iso.datetime({ offset: true }),
});

/** Unknown keys (architecture, training, files…) are kept, so tools can show them. */
export const bundleManifestSchema = z.looseObject({
  format: z.literal(BUNDLE_FORMAT),
  format_version: z.literal(BUNDLE_FORMAT_VERSION),
  name: z.string().min(1),
  /** Free text: "sam-vit-b", "dataengine-tiny"… */
  model_type: z.string().min(1).default('sam'),
  image_size: positiveInt.default(SAM_IMAGE_SIZE),
  pixel_mean: rgbTriple.default([...SAM_PIXEL_MEAN]),
  /** Channel order the encoder expects; the pipeline feeds RGB (SAM-SPEC.md §2.1). */
  image_format: z.literal('RGB').default('RGB'),
  /** Logit threshold; the pipeline binarises with `> 0` (§1.3), so only 0 is accepted. */
  mask_threshold: z.literal(0).default(0),
  pixel_std: rgbTriple.refine((s) => s.every((v) => v > 0), 'pixel_std values must be > 0').default([...SAM_PIXEL_STD]),
  /** `[C, H, W]` of the image embedding, batch axis excluded. */
  embedding_shape: z.tuple([positiveInt, positiveInt, positiveInt]).default([...SAM_EMBEDDING_SHAPE]),
  low_res_size: positiveInt.default(SAM_LOW_RES_SIZE),
  /** 4 for the default SAM export, 1 for `--return-single-mask` (SAM-SPEC.md §1.3). */
  mask_channels: z.union([z.literal(1), z.literal(4)]).default(SAM_MASK_CHANNELS),
  encoder: z.object({ input: z.string().min(1), output: z.string().min(1) }).default({ input: SAM_ENCODER_INPUT_NAME, output: SAM_ENCODER_OUTPUT_NAME }),
  detector: detectorContractSchema.optional(),
  lineage: lineageSchema,
});

export type BundleManifest = z.infer<typeof bundleManifestSchema>;
export type BundleManifestInput = z.input<typeof bundleManifestSchema>;
export type DetectorContract = z.infer<typeof detectorContractSchema>;

/** zod issues → one line each, `path: message`. */
export function manifestProblems(input: unknown): { manifest: BundleManifest; problems: [] } | { manifest: null; problems: string[] } {
  const parsed = bundleManifestSchema.safeParse(input);
  if (parsed.success) return { manifest: parsed.data, problems: [] };
  return { manifest: null, problems: parsed.error.issues.map((i) => `manifest.json: ${i.path.join('.') || '(root)'}: ${i.message}`) };
}

/** The pipeline's view of a manifest. */
export function pipelineConfigFromManifest(m: BundleManifest): SamPipelineConfig {
  return {
    imageSize: m.image_size,
    pixelMean: m.pixel_mean,
    pixelStd: m.pixel_std,
    embeddingShape: m.embedding_shape,
    lowResSize: m.low_res_size,
    encoderInputName: m.encoder.input,
    encoderOutputName: m.encoder.output,
  };
}
