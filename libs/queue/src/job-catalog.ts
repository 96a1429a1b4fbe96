// The one list of every job the engine runs: its queue, payload schema, retry policy and dedup key.
// Payloads carry ids, never blobs. Workers re-parse payloads with the same schema on dequeue.
import { z } from 'zod';

export interface JobDefinition<P extends z.ZodTypeAny = z.ZodTypeAny> {
  /** BullMQ queue; GPU-bound work gets its own queue so it can be given to GPU hosts only. */
  queue: string;
  payload: P;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
  /**
   * Same key → at most one live job (waiting, delayed or running): a request while one is live joins
   * it (promoting its priority); once it has completed or failed, the next request queues a new one.
   */
  dedupKey: (payload: z.infer<P>) => string;
  description: string;
}

const imageRunItem = z.object({ runId: z.string().uuid(), imageId: z.number().int().positive() });
const singleRun = z.object({ runId: z.string().uuid() });

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
  prefill: defineJob({
    queue: 'infer',
    description: 'stage 2: detector boxes → decoder masks for one image of a prefill run, kept by predicted IoU and stability',
    payload: imageRunItem,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    dedupKey: (p) => `prefill-${p.runId}-${p.imageId}`,
  }),
  autogen: defineJob({
    queue: 'infer',
    description: 'stage 3: automatic mask generation (point grid, crops, filters, NMS) for one image of an autogen run',
    payload: imageRunItem,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    dedupKey: (p) => `autogen-${p.runId}-${p.imageId}`,
  }),
  retrain: defineJob({
    queue: 'train',
    description: 'write a dataset snapshot, run the trainer as a subprocess, register the new bundle as a candidate',
    payload: singleRun,
    // An error fails the run (it says why; ops starts a new one), so there is nothing to retry. A
    // worker that dies mid-run is a different path: BullMQ gives the stalled job back and the
    // processor starts over (fresh snapshot and trainer directory, the orphaned trainer killed).
    attempts: 1,
    backoff: { type: 'fixed', delay: 10_000 },
    dedupKey: (p) => `retrain-${p.runId}`,
  }),
  evaluate: defineJob({
    queue: 'train',
    description: 'score a candidate and the active checkpoint on the same held-out images; promote by margin',
    payload: singleRun,
    attempts: 2,
    backoff: { type: 'fixed', delay: 10_000 },
    dedupKey: (p) => `evaluate-${p.runId}`,
  }),
  export: defineJob({
    queue: 'exchange',
    description: 'write a project\'s masks as SA-1B or COCO (RLE or polygons) to the blob store',
    payload: singleRun,
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    dedupKey: (p) => `export-${p.runId}`,
  }),
  import: defineJob({
    queue: 'exchange',
    description: 'read SA-1B or COCO annotations into a project',
    payload: singleRun,
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    dedupKey: (p) => `import-${p.runId}`,
  }),
} satisfies Record<string, JobDefinition>;

export type JobCatalog = typeof jobCatalog;
export type JobName = keyof JobCatalog;
export type JobPayload<N extends JobName> = z.infer<JobCatalog[N]['payload']>;

export function queueNames(catalog: Record<string, JobDefinition> = jobCatalog): string[] {
  return [...new Set(Object.values(catalog).map((d) => d.queue))].sort();
}
