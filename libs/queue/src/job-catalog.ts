// The one list of every job the engine runs: its queue, payload schema, retry policy and dedup key.
// Payloads carry ids, never blobs. Workers re-parse payloads with the same schema on dequeue.
import { z } from 'zod';

export interface JobDefinition<P extends z.ZodTypeAny = z.ZodTypeAny> {
  /** BullMQ queue; GPU-bound work gets its own queue so it can be given to GPU hosts only. */
  queue: string;
  payload: P;
  /** Tries for a failure that is neither permanent nor an outage (a bug, an unexpected answer). */
  attempts: number;
  /** The wait between those tries. */
  backoff: { type: 'exponential' | 'fixed'; delay: number };
  /**
   * Whether a failure because PostgreSQL, Redis or object storage is unavailable is tried again by
   * OUTAGE_RETRY (up to its attempts, whatever `attempts` says). False for jobs whose use case
   * closes its run on any error, so that a later try would find nothing left to do.
   */
  retriesOutages: boolean;
  /**
   * Same key → at most one live job (waiting, delayed or running): a request while one is live joins
   * it (promoting its priority); once it has completed or failed, the next request queues a new one.
   */
  dedupKey: (payload: z.infer<P>) => string;
  description: string;
}

const imageRunItem = z.object({ runId: z.string().uuid(), imageId: z.number().int().positive() });
const singleRun = z.object({ runId: z.string().uuid() });

/**
 * How a job rides out its infrastructure being away (a database restart, Redis failing over, an
 * object-store outage): a try that failed because PostgreSQL, Redis or the store was unavailable is
 * tried again after 1, 2, 4, 8, 16 s, then every 20 s, up to 12 tries — about 150 s of waiting, so
 * an outage of a minute or two costs no job. Failures that are not an outage keep the job's own
 * `attempts`; permanent ones (PermanentJobError: a corrupt image, a model of the wrong shape) fail
 * at once.
 */
export const OUTAGE_RETRY = { attempts: 12, delayMs: 1_000, maxDelayMs: 20_000 } as const;

/** The most tries a job of this definition gets (what BullMQ is told). */
export function maxAttempts(definition: JobDefinition): number {
  return definition.retriesOutages ? Math.max(definition.attempts, OUTAGE_RETRY.attempts) : definition.attempts;
}

/** Whether `attempt` (1-based), which failed with an outage or not, was the job's last try. */
export function isLastAttempt(definition: JobDefinition, attempt: number, outage: boolean): boolean {
  return attempt >= (outage ? maxAttempts(definition) : definition.attempts);
}

/**
 * The wait after `attemptsMade` tries failed with an outage (1, 2, 4, 8, 16 s, then 20 s): what the
 * queue waits between tries, and what a long use case (retrain, evaluate) waits before writing again.
 */
export function outageRetryDelayMs(attemptsMade: number): number {
  return Math.min(OUTAGE_RETRY.maxDelayMs, OUTAGE_RETRY.delayMs * 2 ** Math.max(0, attemptsMade - 1));
}

/** The wait after `attemptsMade` failed tries, the last one failing with an outage or not. */
export function retryDelayMs(definition: JobDefinition, attemptsMade: number, outage: boolean): number {
  const doublings = Math.max(0, attemptsMade - 1);
  if (outage && definition.retriesOutages) return outageRetryDelayMs(attemptsMade);
  return definition.backoff.type === 'fixed' ? definition.backoff.delay : definition.backoff.delay * 2 ** doublings;
}

/** BullMQ backoff type of catalog jobs: the worker runtime computes each wait with retryDelayMs. */
export const CATALOG_BACKOFF = 'catalog';

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
    retriesOutages: true,
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
    retriesOutages: true,
    dedupKey: (p) => `embed-${p.imageId}-${p.checkpointId}`,
  }),
  prefill: defineJob({
    queue: 'infer',
    description: 'stage 2: detector boxes → decoder masks for one image of a prefill run, kept by predicted IoU and stability',
    payload: imageRunItem,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    retriesOutages: true,
    dedupKey: (p) => `prefill-${p.runId}-${p.imageId}`,
  }),
  autogen: defineJob({
    queue: 'infer',
    description: 'stage 3: automatic mask generation (point grid, crops, filters, NMS) for one image of an autogen run',
    payload: imageRunItem,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    retriesOutages: true,
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
    // an outage is waited out inside the run, step by step on OUTAGE_RETRY's schedule (a queue retry
    // would train again from the start); one that outlasts it closes the run as failed, saying what
    // was away: a retry would find it finished, ops starts a new one
    retriesOutages: false,
    dedupKey: (p) => `retrain-${p.runId}`,
  }),
  evaluate: defineJob({
    queue: 'train',
    description: 'score a candidate and the active checkpoint on the same held-out images; promote by margin',
    payload: singleRun,
    attempts: 2,
    backoff: { type: 'fixed', delay: 10_000 },
    // like retrain: outages are waited out inside the run (OUTAGE_RETRY's schedule), and any error
    // left closes the run (saying why), so there is no later try to wait for
    retriesOutages: false,
    dedupKey: (p) => `evaluate-${p.runId}`,
  }),
  export: defineJob({
    queue: 'exchange',
    description: 'write a project\'s masks as SA-1B or COCO (RLE or polygons) to the blob store',
    payload: singleRun,
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    retriesOutages: true,
    dedupKey: (p) => `export-${p.runId}`,
  }),
  import: defineJob({
    queue: 'exchange',
    description: 'read SA-1B or COCO annotations into a project',
    payload: singleRun,
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    retriesOutages: true,
    dedupKey: (p) => `import-${p.runId}`,
  }),
  register: defineJob({
    queue: 'exchange',
    description: 'list a bucket prefix (or a list of keys) page by page and register each image object in place, queueing its ingest',
    payload: singleRun,
    // a page is committed with its continuation token (run progress): a retry resumes after the last page done
    attempts: 5,
    backoff: { type: 'exponential', delay: 5_000 },
    retriesOutages: true,
    dedupKey: (p) => `register-${p.runId}`,
  }),
} satisfies Record<string, JobDefinition>;

export type JobCatalog = typeof jobCatalog;
export type JobName = keyof JobCatalog;
export type JobPayload<N extends JobName> = z.infer<JobCatalog[N]['payload']>;

export function queueNames(catalog: Record<string, JobDefinition> = jobCatalog): string[] {
  return [...new Set(Object.values(catalog).map((d) => d.queue))].sort();
}
