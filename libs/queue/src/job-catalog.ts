// The one list of every job the engine runs: its queue, payload schema, retry policy and dedup key.
// Payloads carry ids, never blobs. Workers re-parse payloads with the same schema on dequeue.
import { z } from 'zod';

export interface JobDefinition<P extends z.ZodTypeAny = z.ZodTypeAny> {
  /** BullMQ queue; GPU-bound work gets its own queue so it can be given to GPU hosts only. */
  queue: string;
  payload: P;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
  /** Same key → same BullMQ job id → enqueued once while the job exists. */
  dedupKey: (payload: z.infer<P>) => string;
  description: string;
}

const defineJob = <P extends z.ZodTypeAny>(definition: JobDefinition<P>) => definition;

export const jobCatalog = {
  ingest: defineJob({
    queue: 'ingest',
    description: 'decode an uploaded image, check its hash and dimensions, make its thumbnail',
    payload: z.object({
      imageId: z.number().int().positive(),
      runId: z.string().uuid().optional(),
    }),
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
    dedupKey: (p) => `ingest-${p.imageId}-${p.runId ?? 'upload'}`,
  }),
  embed: defineJob({
    queue: 'embed',
    description: 'run the image encoder of a checkpoint once per image and store the embedding (float16)',
    payload: z.object({
      imageId: z.number().int().positive(),
      checkpointId: z.string().uuid(),
    }),
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    dedupKey: (p) => `embed-${p.imageId}-${p.checkpointId}`,
  }),
} satisfies Record<string, JobDefinition>;

export type JobCatalog = typeof jobCatalog;
export type JobName = keyof JobCatalog;
export type JobPayload<N extends JobName> = z.infer<JobCatalog[N]['payload']>;

export function queueNames(catalog: Record<string, JobDefinition> = jobCatalog): string[] {
  return [...new Set(Object.values(catalog).map((d) => d.queue))].sort();
}
