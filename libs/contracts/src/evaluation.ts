// The held-out set of a project and what an evaluate run records about a candidate: both
// checkpoints scored on one set of images, which set it was, and the promotion gate's verdict.
// Shared by the API (output schemas) and the ops console (types).
import { z } from 'zod';

/** How an upload or import assigns images: the project's val share by content hash, or explicitly. */
export const splitChoiceSchema = z.enum(['auto', 'train', 'val']);
export type SplitChoice = z.infer<typeof splitChoiceSchema>;

/** Bounds of a project's val share (the fraction of `auto` uploads held out). */
export const VAL_SHARE_MAX = 0.5;
export const valShareSchema = z.number().min(0).max(VAL_SHARE_MAX);

/** The images an evaluation scores both checkpoints on, identified by content. */
export const evaluationSetSchema = z.object({
  /** `set:` + hash of the sorted image ids and their masks (id, version): same images and masks, same id */
  id: z.string(),
  images: z.number().int(),
  /** accepted masks used as click targets */
  masks: z.number().int(),
  /** val images left out because one of the compared checkpoints was trained on them */
  excludedImages: z.number().int(),
});
export type EvaluationSetDto = z.infer<typeof evaluationSetSchema>;

/** A project's held-out set as managers and ops see it. */
export const heldOutSetSchema = z.object({
  projectId: z.string().uuid(),
  /** share of images uploaded or imported with split `auto` that become val */
  valShare: z.number(),
  images: z.object({ train: z.number().int(), val: z.number().int() }),
  /** what an evaluate run would score on now (no exclusions) */
  evaluationSet: evaluationSetSchema,
  /** fewest masks an evaluation needs (EVAL_MIN_MASKS) */
  minMasks: z.number().int(),
  /** at most this many val images are scored (the evaluate default) */
  maxImages: z.number().int(),
});
export type HeldOutSetDto = z.infer<typeof heldOutSetSchema>;

/** Predicted vs true IoU of the mask the one-click prompt returns, in one bin of predicted IoU. */
export const calibrationBinSchema = z.object({
  lo: z.number(),
  hi: z.number(),
  count: z.number().int(),
  /** mean predicted IoU in the bin; null when empty */
  predicted: z.number().nullable(),
  /** mean true IoU in the bin; null when empty */
  actual: z.number().nullable(),
});
export type CalibrationBinDto = z.infer<typeof calibrationBinSchema>;

const metric = z.number().nullable();
export const evaluatedMetricsSchema = z.object({
  checkpointId: z.string(),
  name: z.string(),
  miou1: metric,
  miou3: metric,
  miou5: metric,
  noc90: metric,
  boxAp50: metric,
  /** mIoU of the mask a box prompt alone returns (the prefill path) */
  boxMiou1: metric,
  /** mean |predicted − true IoU| of the one-click mask */
  calibrationError: metric,
  calibration: z.array(calibrationBinSchema),
  images: z.number().int(),
  objects: z.number().int(),
});
export type EvaluatedMetricsDto = z.infer<typeof evaluatedMetricsSchema>;

export const checkpointEvaluationSchema = z.object({
  runId: z.string(),
  at: z.string(),
  projectId: z.string().nullable(),
  /** null for evaluations recorded before sets were (they cannot be compared with anything else) */
  set: evaluationSetSchema.nullable(),
  candidate: evaluatedMetricsSchema,
  /** the checkpoint it would replace, scored on the same set */
  baseline: evaluatedMetricsSchema,
  /** the promotion gate's verdict in words */
  verdict: z.string(),
  gatePassed: z.boolean(),
  /** what happened: promoted, awaiting ops decision, … */
  decision: z.string().nullable(),
  /** NoC's click cap in this evaluation (an object that never reaches the IoU counts this many); null when not recorded */
  nocMaxClicks: z.number().int().positive().nullable(),
});
export type CheckpointEvaluationDto = z.infer<typeof checkpointEvaluationSchema>;

/** Whether promoting a checkpoint now needs an ops override (a confirmation with a reason). */
export const promotionGateSchema = z.object({
  passed: z.boolean(),
  reason: z.string(),
});
export type PromotionGateDto = z.infer<typeof promotionGateSchema>;
