import { z } from 'zod';
import { checkpointEvaluationSchema, promotionGateSchema } from './evaluation';
import { serialIdSchema } from './ids';
import { maskLabelSchema } from './labels';

export const userRoleSchema = z.enum(['annotator', 'manager', 'ops', 'admin']);
export type UserRole = z.infer<typeof userRoleSchema>;

export const projectRoleSchema = z.enum(['annotator', 'manager']);
export type ProjectRole = z.infer<typeof projectRoleSchema>;

export const stageSchema = z.enum(['assisted_manual', 'semi_automatic', 'fully_automatic']);
export type Stage = z.infer<typeof stageSchema>;

export const STAGE_LABELS: Record<Stage, string> = {
  assisted_manual: 'Assisted-manual',
  semi_automatic: 'Semi-automatic',
  fully_automatic: 'Fully automatic',
};

export const imageStatusSchema = z.enum(['pending', 'ready', 'failed']);
export const splitSchema = z.enum(['train', 'val']);
export const runKindSchema = z.enum(['ingest', 'embed', 'prefill', 'autogen', 'retrain', 'evaluate', 'export', 'import']);
export const runStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type RunKind = z.infer<typeof runKindSchema>;
export type RunStatus = z.infer<typeof runStatusSchema>;

export const userSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  name: z.string(),
  role: userRoleSchema,
});
export type UserDto = z.infer<typeof userSchema>;

export const projectSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  stage: stageSchema,
  createdAt: z.string(),
  /** the caller's role in the project, null when they see it through a global role (ops, admin) */
  myRole: projectRoleSchema.nullable(),
  imageCount: z.number().int(),
});
export type ProjectDto = z.infer<typeof projectSchema>;

export const memberSchema = z.object({
  user: userSchema,
  role: projectRoleSchema,
  since: z.string(),
});
export type MemberDto = z.infer<typeof memberSchema>;

export const imageSchema = z.object({
  id: z.number().int(),
  projectId: z.string().uuid(),
  fileName: z.string(),
  mime: z.string(),
  byteSize: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  split: splitSchema,
  status: imageStatusSchema,
  error: z.string().nullable(),
  contentHash: z.string(),
  createdAt: z.string(),
  /** URL paths served by the API's binary routes */
  url: z.string(),
  thumbUrl: z.string().nullable(),
});
export type ImageDto = z.infer<typeof imageSchema>;

export const runSchema = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid().nullable(),
  kind: runKindSchema,
  status: runStatusSchema,
  params: z.record(z.string(), z.unknown()),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  error: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  checkpointId: z.string().uuid().nullable(),
  cancelRequestedAt: z.string().nullable(),
  /** live detail of single-job runs (retrain: step, loss, lr, …) */
  progress: z.record(z.string(), z.unknown()).nullable(),
  /** seconds left, estimated from the progress so far; null when unknown */
  etaSeconds: z.number().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  /** succeeded, but some items (images, files) failed: shown as "succeeded with errors" (status stays succeeded for existing consumers) */
  withErrors: z.boolean(),
  /** what the finished run produced, in words (run-summary.ts); null while it runs */
  summary: z.string().nullable(),
});
export type RunDto = z.infer<typeof runSchema>;

export const uploadResultSchema = z.object({
  image: imageSchema,
  duplicate: z.boolean(),
});
export type UploadResultDto = z.infer<typeof uploadResultSchema>;

/** Cursor pagination: pass the previous page's nextCursor to get the next page. */
export const pageInputSchema = z.object({
  cursor: serialIdSchema.nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

export function pageSchema<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.number().int().nullable() });
}

export const SESSION_COOKIE = 'de_session';

export const taskStatusSchema = z.enum(['open', 'leased', 'submitted', 'skipped']);
export const provenanceSchema = z.enum(['manual', 'prefill', 'auto']);

/** Shown in the annotator's tool when a reviewer sent the image back to them. */
export const taskReturnSchema = z.object({
  reason: z.string(),
  reviewer: z.string().nullable(),
  decidedAt: z.string(),
});
export type TaskReturnDto = z.infer<typeof taskReturnSchema>;

export const taskSchema = z.object({
  id: z.string(),
  projectId: z.string().uuid(),
  stage: stageSchema,
  status: taskStatusSchema,
  leaseExpiresAt: z.string().nullable(),
  image: imageSchema,
  /** a reviewer rejected the image and sent it back to this annotator: why (null: not returned) */
  returned: taskReturnSchema.nullable().optional(),
});
export type TaskDto = z.infer<typeof taskSchema>;

/** COCO compressed RLE as stored and exchanged (SAM-SPEC.md §4). */
export const compressedRleSchema = z.object({
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  counts: z.string().min(1).max(50_000_000),
});

export const maskSchema = z.object({
  id: z.string(),
  imageId: z.number().int(),
  stage: stageSchema,
  provenance: provenanceSchema,
  segmentation: compressedRleSchema,
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  area: z.number().int(),
  predictedIou: z.number().nullable(),
  stabilityScore: z.number().nullable(),
  pointCoords: z.array(z.tuple([z.number(), z.number()])).nullable(),
  checkpointId: z.string().uuid().nullable(),
  authorId: z.string().uuid().nullable(),
  activeMs: z.number().int(),
  clicks: z.number().int(),
  clientKey: z.string().nullable(),
  /** the mask's label (class) from its project's label set; null: unlabelled */
  labelId: z.string().uuid().nullable(),
  label: maskLabelSchema.nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MaskDto = z.infer<typeof maskSchema>;

export const saveMaskInputSchema = z.object({
  imageId: serialIdSchema,
  segmentation: compressedRleSchema,
  /** Prompts that produced the mask, original-image pixels */
  pointCoords: z.array(z.tuple([z.number(), z.number()])).max(1000).optional(),
  /** Active annotation time with idle gaps excluded, and clicks spent on this mask */
  activeMs: z.number().int().min(0).max(24 * 3600 * 1000),
  clicks: z.number().int().min(0).max(100_000),
  predictedIou: z.number().min(-10).max(10).optional(),
  stabilityScore: z.number().min(0).max(1).optional(),
  checkpointId: z.string().uuid().optional(),
  /** Client-chosen id making a re-sent save idempotent */
  clientKey: z.string().min(8).max(64).regex(/^[\w-]+$/).optional(),
  /** A label of the image's project (labels.list); omitted or null: unlabelled */
  labelId: z.string().uuid().nullish(),
});
export type SaveMaskInput = z.infer<typeof saveMaskInputSchema>;

export const checkpointStatusSchema = z.enum(['candidate', 'active', 'retired', 'rejected']);

export const checkpointSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  status: checkpointStatusSchema,
  parentId: z.string().uuid().nullable(),
  /** the scope: null = global (every project without an active checkpoint of its own) */
  projectId: z.string().uuid().nullable(),
  projectName: z.string().nullable(),
  bundleHash: z.string(),
  manifest: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  /** the last evaluate run's comparison with the checkpoint it would replace, on one held-out set */
  evaluation: checkpointEvaluationSchema.nullable(),
  /** candidates and retired checkpoints: whether promoting now passes the gate (else it needs an override) */
  gate: promotionGateSchema.nullable(),
  createdAt: z.string(),
  promotedAt: z.string().nullable(),
  /** URL paths of the bundle's files, served by the API (immutable, cacheable) */
  files: z.object({ manifest: z.string(), encoder: z.string(), decoder: z.string(), detector: z.string().nullable() }),
});
export type CheckpointDto = z.infer<typeof checkpointSchema>;

export const checkpointEventSchema = z.object({
  action: z.string(),
  fromStatus: checkpointStatusSchema.nullable(),
  toStatus: checkpointStatusSchema,
  actor: z.string().nullable(),
  reason: z.string(),
  createdAt: z.string(),
});
