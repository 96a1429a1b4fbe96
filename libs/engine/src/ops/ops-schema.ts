// What the ops console reads besides runs and checkpoints (their schemas live in contracts).
import { z } from 'zod';
import { checkpointEventSchema, retrainModeSchema, runKindSchema } from '@dataengine/contracts';

const count = z.number().int().min(0);

/** A job as the console lists it: what it works on, resolved to its run and project. */
export const queueJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  runId: z.string().nullable(),
  runKind: runKindSchema.nullable(),
  projectName: z.string().nullable(),
  imageId: z.number().int().nullable(),
  attemptsMade: count,
  /** started (active jobs) or ended (failed jobs), ISO time */
  at: z.string().nullable(),
  failedReason: z.string().nullable(),
  /** failed jobs: null when a retry may succeed, else why it cannot (it is not offered) */
  notRetryable: z.string().nullable(),
});
export type QueueJobDto = z.infer<typeof queueJobSchema>;

export const queueHealthSchema = z.object({
  queue: z.string(),
  /** the job names this queue carries (job catalog) */
  jobs: z.array(z.string()),
  counts: z.object({ waiting: count, active: count, delayed: count, failed: count, completed: count }),
  workers: z.array(z.object({ name: z.string(), addr: z.string(), ageSeconds: count, idleSeconds: count })),
  activeJobs: z.array(queueJobSchema),
  /** the newest failures (a few), each saying whether a retry could succeed */
  recentFailures: z.array(queueJobSchema),
  /** failed jobs a retry could help (those known not to are left out; see notRetryable) */
  retryableFailures: count,
});
export type QueueHealthDto = z.infer<typeof queueHealthSchema>;

export const retryResultSchema = z.object({ queue: z.string(), retried: count, /** failed jobs left failed: a retry could not succeed */ skipped: count });

export const checkpointAuditSchema = checkpointEventSchema.extend({
  id: z.string(),
  checkpointId: z.string().uuid(),
  checkpointName: z.string(),
});
export type CheckpointAuditDto = z.infer<typeof checkpointAuditSchema>;

export const retrainScheduleSchema = z.object({
  projectId: z.string().uuid(),
  projectName: z.string(),
  /** null: no scheduled retraining */
  everyMasks: z.number().int().positive().nullable(),
  /** the project's mask count when the last retrain started */
  maskMark: count,
  masksNow: count,
  /** masks still to come before the next scheduled retrain; null when off */
  masksToNext: z.number().int().nullable(),
  /** every Nth scheduled retrain runs in full mode (the encoder trains too); null: all fast */
  fullEvery: z.number().int().positive().nullable(),
  /** scheduled retrains started so far */
  scheduledRetrains: count,
  /** the mode the next scheduled retrain will run in; null when off */
  nextMode: retrainModeSchema.nullable(),
});
export type RetrainScheduleDto = z.infer<typeof retrainScheduleSchema>;
