// What each run kind takes when ops starts it (the API validates with these; the worker re-reads
// them from the run row). One schema per kind; `startRunInputSchema` is their union.
import { z } from 'zod';
import { splitChoiceSchema } from './evaluation';
import { serialIdSchema } from './ids';

/** The most images one run may process (a selection matching more is refused: narrow it). */
export const MAX_RUN_IMAGES = 100_000;

/**
 * Which of a project's ready images a run processes, resolved by the server when the run starts
 * (every field narrows; an empty filter is every ready image). An image's stage is the stage of its
 * latest task (images ingested while the project was in stage 3 have none: stage 3); its status is
 * that task's.
 */
export const imageFilterSchema = z.object({
  stages: z.array(z.enum(['assisted_manual', 'semi_automatic', 'fully_automatic'])).min(1).max(3).optional(),
  taskStatuses: z.array(z.enum(['open', 'leased', 'submitted', 'skipped'])).min(1).max(4).optional(),
  /** only images with no mask at all yet */
  noMasks: z.boolean().optional(),
  split: z.enum(['train', 'val']).optional(),
  /** a saved selection (e.g. tiles picked in the project's grid) */
  imageIds: z.array(serialIdSchema).min(1).max(MAX_RUN_IMAGES).optional(),
});
export type ImageFilter = z.infer<typeof imageFilterSchema>;

const imageSelection = {
  projectId: z.string().uuid(),
  /** advanced: these image ids exactly (the form's filter resolves to such a list on the server) */
  imageIds: z.array(serialIdSchema).min(1).max(MAX_RUN_IMAGES).optional(),
  /** the images matching this filter; all ready images when neither this nor imageIds is given */
  selection: imageFilterSchema.optional(),
};

export const prefillParamsSchema = z.object({
  ...imageSelection,
  /** detector objectness a box needs to be prompted */
  boxScoreThreshold: z.number().min(0).max(1).default(0.3),
  /** masks kept by predicted IoU and stability, as AMG filters them */
  predIouThresh: z.number().min(0).max(1).default(0.7),
  stabilityScoreThresh: z.number().min(0).max(1).default(0.8),
  maxMasksPerImage: z.number().int().min(1).max(1000).default(100),
});
export type PrefillParams = z.infer<typeof prefillParamsSchema>;

export const amgPresetNameSchema = z.enum(['sam-default', 'sa1b']);
export const autogenParamsSchema = z.object({
  ...imageSelection,
  preset: amgPresetNameSchema.default('sam-default'),
  /** SamAutomaticMaskGenerator parameters overriding the preset (camelCase names) */
  overrides: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])).default({}),
  /** autogen is for stage-3 images; true confirms a run that includes stage-1/2 images (annotators would see its masks) */
  allowEarlierStages: z.boolean().default(false),
});
export type AutogenParams = z.infer<typeof autogenParamsSchema>;

export const retrainModeSchema = z.enum(['fast', 'full']);
export type RetrainMode = z.infer<typeof retrainModeSchema>;

/**
 * The mode of the `nth` retrain (from 1) of a cadence that runs fast retrains and a full one every
 * `fullEvery`-th time (0 or null: never): fast retrains are cheap and promote without re-embedding;
 * the occasional full one also adapts the image encoder (bench:retrain: more gain from the parent,
 * less per minute; trainer/README.md has where it helped and where it did not).
 */
export function retrainModeAt(nth: number, fullEvery: number | null, otherwise: RetrainMode = 'fast'): RetrainMode {
  return fullEvery && fullEvery > 0 && nth % fullEvery === 0 ? 'full' : otherwise;
}

export const retrainParamsSchema = z.object({
  projectId: z.string().uuid(),
  /** the checkpoint to fine-tune; the project's active one when omitted */
  initCheckpointId: z.string().uuid().optional(),
  steps: z.number().int().min(1).max(1_000_000).default(300),
  /** images per step; the trainer's recipe for the mode when omitted (fast 1 image × 8 masks, full 2 × 6) */
  batch: z.number().int().min(1).max(64).optional(),
  lr: z.number().positive().max(1).default(3e-4),
  /** linear learning-rate warm-up steps (trainer --warmup); `retrainWarmup` gives the default */
  warmup: z.number().int().min(0).max(1_000_000).optional(),
  valFraction: z.number().min(0.05).max(0.5).default(0.1),
  /**
   * fast: the image encoder stays frozen and the rest trains on the images' stored embeddings (the
   * candidate shares its parent's encoder and embeddings: promoting it re-embeds nothing); full: the
   * encoder trains too (every image is embedded again after a promotion)
   */
  mode: retrainModeSchema.default('fast'),
  /**
   * full mode: after its steps, this many fast steps refit the prompt encoder, mask decoder and
   * detector on the trained encoder's embeddings (trainer --refit-steps); fast mode ignores it.
   * `retrainRefitSteps` gives the default
   */
  refitSteps: z.number().int().min(0).max(1_000_000).optional(),
  /**
   * fast mode: draw each image's masks in proportion to how wrong the starting checkpoint's
   * one-click answer is (trainer --hard-examples) instead of uniformly
   */
  hardExamples: z.boolean().default(false),
  /** start an evaluate run against the active checkpoint when training ends */
  evaluate: z.boolean().default(true),
  seed: z.number().int().min(0).default(0),
});
export type RetrainParams = z.infer<typeof retrainParamsSchema>;

/**
 * Warm-up steps of a retrain: as given, else min(50, a tenth of the steps). A fine-tune starts from
 * trained weights, so it needs a short warm-up, not the from-scratch trainer's 250 steps (the
 * trainer also caps its warm-up at a tenth of the steps).
 */
export const retrainWarmup = (params: Pick<RetrainParams, 'steps' | 'warmup'>): number => params.warmup ?? Math.min(50, Math.max(1, Math.ceil(params.steps / 10)));

/**
 * A full retrain's refit steps: as given, else 500 (the fast retrain's default length). On a loop's
 * whole-object masks a full retrain alone ranked its one-click candidates worse than a fast retrain
 * did (bench:retrain --levels whole, 30 studio scenes: mIoU@1 0.477 against 0.497); refitted, 0.532.
 */
export const retrainRefitSteps = (params: Pick<RetrainParams, 'mode' | 'refitSteps'>): number => (params.mode === 'full' ? (params.refitSteps ?? 500) : 0);

export const evaluateParamsSchema = z.object({
  projectId: z.string().uuid(),
  candidateId: z.string().uuid(),
  /** compared against the project's active checkpoint when omitted */
  baselineId: z.string().uuid().optional(),
  maxImages: z.number().int().min(1).max(10_000).default(50),
  /** promote automatically when the candidate's mean mIoU@1/3/5 beats the baseline's by this much and none of them falls by more (null: never) */
  autoPromoteMargin: z.number().min(0).max(1).nullable().default(0.01),
});
export type EvaluateParams = z.infer<typeof evaluateParamsSchema>;

export const exportFormatSchema = z.enum(['sa1b', 'coco-rle', 'coco-polygon']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;
export const exportParamsSchema = z.object({
  ...imageSelection,
  format: exportFormatSchema.default('sa1b'),
  includeImages: z.boolean().default(true),
  provenance: z.array(z.enum(['manual', 'prefill', 'auto'])).min(1).optional(),
  /** coco-polygon only: Douglas–Peucker tolerance in pixels; 0 traces every pixel corner (exact) */
  polygonTolerance: z.number().min(0).max(10).default(0),
});
export type ExportParams = z.infer<typeof exportParamsSchema>;

export const importFormatSchema = z.enum(['sa1b', 'coco']);
export const importParamsSchema = z.object({
  projectId: z.string().uuid(),
  format: importFormatSchema,
  /** blob key of the uploaded archive or JSON (set by the import upload route) */
  sourceKey: z.string().min(1),
  /** the held-out side of the images the import annotates: auto leaves each where it is (set at upload by the project's share); train or val moves them */
  split: splitChoiceSchema.default('auto'),
});
export type ImportParams = z.infer<typeof importParamsSchema>;

/** The most object keys one images.registerFromStore call takes; register a prefix for more. */
export const MAX_REGISTER_KEYS = 1_000;
/** An S3 bucket name (3–63 lower-case letters, digits, "." and "-"). */
const bucketNameSchema = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3–63 lower-case letters, digits, "." and "-"');
const objectKeySchema = z.string().min(1).max(1024);
const registerCommon = {
  projectId: z.string().uuid(),
  /** the bucket holding the images; default: the installation's own (S3_BUCKET) */
  bucket: bucketNameSchema.optional(),
  /** train, val, or auto (default): the project's val share by content hash, as uploads */
  split: splitChoiceSchema.default('auto'),
};
/**
 * Images already in object storage, registered in place (never copied): every image object under
 * a prefix, listed page by page on a worker, or up to MAX_REGISTER_KEYS given keys.
 */
export const registerFromStoreInputSchema = z.union([
  z.object({ ...registerCommon, prefix: objectKeySchema }).strict(),
  z.object({ ...registerCommon, keys: z.array(objectKeySchema).min(1, 'give at least one object key').max(MAX_REGISTER_KEYS, `at most ${MAX_REGISTER_KEYS} keys per call; register a prefix for more`) }).strict(),
]);
export type RegisterFromStoreInput = z.infer<typeof registerFromStoreInputSchema>;

/** Whether this installation can register images in place, and from where (the form's hints). */
export const registerOptionsSchema = z.object({
  available: z.boolean(),
  /** why not, when not available */
  reason: z.string().nullable(),
  /** the bucket used when none is given (S3_BUCKET) */
  defaultBucket: z.string().nullable(),
  /** where managers may register from: s3://bucket/prefix */
  sources: z.array(z.string()),
});
export type RegisterOptions = z.infer<typeof registerOptionsSchema>;

/** What a register run keeps in its params (the worker re-reads them): the source and where its listing got to. */
export const registerParamsSchema = z.object({
  source: z.literal('register'),
  bucket: bucketNameSchema,
  prefix: objectKeySchema.optional(),
  keys: z.array(objectKeySchema).max(MAX_REGISTER_KEYS).optional(),
  split: splitChoiceSchema,
});
export type RegisterParams = z.infer<typeof registerParamsSchema>;

export const startRunInputSchema = z.discriminatedUnion('kind', [
  prefillParamsSchema.extend({ kind: z.literal('prefill') }),
  autogenParamsSchema.extend({ kind: z.literal('autogen') }),
  retrainParamsSchema.extend({ kind: z.literal('retrain') }),
  evaluateParamsSchema.extend({ kind: z.literal('evaluate') }),
  exportParamsSchema.extend({ kind: z.literal('export') }),
]);
export type StartRunInput = z.infer<typeof startRunInputSchema>;

/** What a run form shows before starting: how many images the selection holds, and how many of them are not stage-3 images. */
export const selectionCountSchema = z.object({
  images: z.number().int(),
  earlierStage: z.number().int(),
  /** true when more images match than one run may take (MAX_RUN_IMAGES) */
  overLimit: z.boolean(),
});
export type SelectionCount = z.infer<typeof selectionCountSchema>;
