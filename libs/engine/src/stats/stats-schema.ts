// The project manager's dashboard as one document: what the page renders, the CSV lists and the
// API validates on the way out (stats.project output schema).
import { z } from 'zod';
import { stageSchema, taskStatusSchema, type provenanceSchema } from '@dataengine/contracts';

const count = z.number().int().min(0);

/** Annotation effort of some slice (a stage, a checkpoint, an annotator, a day …). */
export const effortSchema = z.object({
  /** masks people made (a mask deleted later still cost its time) */
  masks: count,
  activeMs: count,
  clicks: count,
  /** active seconds per mask; null without masks */
  secondsPerMask: z.number().nullable(),
  clicksPerMask: z.number().nullable(),
});
export type Effort = z.infer<typeof effortSchema>;

export const stageStatsSchema = z.object({
  stage: stageSchema,
  imagesTotal: count,
  imagesDone: count,
  tasks: z.record(taskStatusSchema, count),
  /** masks that exist now (deleted ones not counted), by provenance */
  masks: z.object({ manual: count, prefill: count, auto: count, total: count }),
  /** active time of the images submitted in this stage (their tasks' time, idle gaps capped) */
  submittedActiveMs: count,
  /** active seconds per submitted image; null before the first submission */
  secondsPerImage: z.number().nullable(),
  /** images waiting in the review queue */
  inReview: count,
});

export const masksPerImageBucketSchema = z.object({
  label: z.string(),
  min: count,
  /** null: no upper bound */
  max: count.nullable(),
  /** images whose number of masks (of each provenance, or of all) falls in the bucket */
  all: count,
  manual: count,
  prefill: count,
  auto: count,
});

export const annotatorEffortSchema = effortSchema.extend({
  authorId: z.string(),
  name: z.string(),
  email: z.string(),
  /** days with saved masks or active time */
  activeDays: count,
  /** masks per active hour */
  masksPerHour: z.number().nullable(),
  imagesSubmitted: count,
  /** images submitted per day on which they submitted any */
  imagesPerDay: z.number().nullable(),
  /** active seconds per image they submitted */
  secondsPerImage: z.number().nullable(),
});

/** Of one checkpoint's pre-filled or automatic masks: what became of them (ACCEPT_RATE_DEFINITION). */
export const acceptRateSchema = z.object({
  checkpointKey: z.string(),
  checkpointName: z.string(),
  provenance: z.enum(['prefill', 'auto']),
  made: count,
  kept: count,
  edited: count,
  deleted: count,
  rejected: count,
  pending: count,
  /** kept / (kept + edited + deleted + rejected); null while none is decided */
  acceptRate: z.number().nullable(),
});

export const projectStatsSchema = z.object({
  project: z.object({ id: z.string().uuid(), name: z.string(), slug: z.string(), stage: stageSchema }),
  generatedAt: z.string(),
  images: z.object({ total: count, pending: count, ready: count, failed: count }),
  stages: z.array(stageStatsSchema),
  masksPerImage: z.array(masksPerImageBucketSchema),
  /** per checkpoint (in the order they were registered) and provenance */
  acceptRates: z.array(acceptRateSchema),
  /** how active time is counted in this project */
  timing: z.object({ idleCapSeconds: count, source: z.enum(['project', 'installation']) }),
  effort: z.object({
    byStage: z.array(effortSchema.extend({ stage: stageSchema })),
    /** in the order the checkpoints were registered (lineage order); key "" = no model assisted */
    byCheckpoint: z.array(effortSchema.extend({ checkpointKey: z.string(), checkpointName: z.string() })),
    byAnnotator: z.array(annotatorEffortSchema),
    /** one row per day, stage, checkpoint and annotator (the counters' own grain), oldest first */
    daily: z.array(effortSchema.extend({ day: z.string(), stage: stageSchema, checkpointKey: z.string(), authorId: z.string() })),
  }),
});
export type ProjectStats = z.infer<typeof projectStatsSchema>;
export type StageStats = z.infer<typeof stageStatsSchema>;
export type AnnotatorEffort = z.infer<typeof annotatorEffortSchema>;
export type MasksPerImageBucket = z.infer<typeof masksPerImageBucketSchema>;
export type AcceptRate = z.infer<typeof acceptRateSchema>;
export type Provenance = z.infer<typeof provenanceSchema>;

export const statsCsvSchema = z.object({ fileName: z.string(), csv: z.string() });
export type StatsCsv = z.infer<typeof statsCsvSchema>;
