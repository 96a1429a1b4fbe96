import { z } from 'zod';

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
});
export type RunDto = z.infer<typeof runSchema>;

export const uploadResultSchema = z.object({
  image: imageSchema,
  duplicate: z.boolean(),
});
export type UploadResultDto = z.infer<typeof uploadResultSchema>;

/** Cursor pagination: pass the previous page's nextCursor to get the next page. */
export const pageInputSchema = z.object({
  cursor: z.number().int().positive().nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

export function pageSchema<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.number().int().nullable() });
}

export const SESSION_COOKIE = 'de_session';
