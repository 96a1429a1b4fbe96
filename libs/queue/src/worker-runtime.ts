import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { isLastAttempt, retryDelayMs, type JobDefinition } from './job-catalog';
import { isRedisUnavailableError } from './redis-connection';

export interface ProcessorContext {
  jobId: string;
  attempt: number;
  /** Reports progress (0..1 or a structured object) to BullMQ. */
  progress(value: number | Record<string, unknown>): Promise<void>;
}

export type Processor<P = unknown> = (payload: P, ctx: ProcessorContext) => Promise<unknown>;

export type ProcessorMap<C extends Record<string, JobDefinition>> = { [N in keyof C]: Processor<z.infer<C[N]['payload']>> };

export interface WorkerRuntimeLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface WorkerRuntimeOptions<C extends Record<string, JobDefinition>> {
  catalog: C;
  processors: Partial<Record<string, Processor<never>>>;
  connection: () => Redis;
  prefix: string;
  /** Queues to consume; default every queue in the catalog. */
  queues?: string[];
  concurrency?: number;
  /** BullMQ lockDuration / stalledInterval (defaults 30 s): how soon a dead worker's job is taken again. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  logger: WorkerRuntimeLogger;
  /**
   * Whether a failure means the infrastructure is unavailable (PostgreSQL, Redis, object storage)
   * rather than that the job is wrong: such failures are retried by OUTAGE_RETRY. Default: Redis only.
   */
  isOutage?: (error: unknown) => boolean;
  /** Called once a job will not be tried again, so what it worked for can be closed (run items). */
  onJobGaveUp?: (name: string, payload: unknown, error: Error) => Promise<void>;
}

/**
 * No try of this job is left: its retries are spent, it failed permanently, or BullMQ gave up on it
 * after its workers died holding it (stalled too often) — in which case no processor saw the end.
 */
function isFinalFailure(job: Job, error: Error): boolean {
  return job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError || /stalled more than allowable limit/i.test(error.message);
}

export class WorkerConfigurationError extends Error {
  override readonly name = 'WorkerConfigurationError';
}

/** A job whose failure is final (bad input): BullMQ will not retry it. */
export class PermanentJobError extends UnrecoverableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Refuses a processor table that does not cover the catalog exactly (immich's start-up rule). */
export function assertProcessorsCoverCatalog(catalog: Record<string, JobDefinition>, processors: Partial<Record<string, unknown>>): void {
  const missing = Object.keys(catalog).filter((name) => typeof processors[name] !== 'function');
  const unknown = Object.keys(processors).filter((name) => !(name in catalog));
  const problems = [
    ...missing.map((name) => `job "${name}" (queue ${catalog[name]!.queue}) has no processor`),
    ...unknown.map((name) => `processor "${name}" matches no job in the catalog`),
  ];
  if (problems.length) throw new WorkerConfigurationError(`refusing to start the worker: ${problems.join('; ')}`);
}

export interface WorkerRuntime {
  readonly queues: string[];
  /** Stops taking jobs, lets active ones finish, closes connections. */
  close(): Promise<void>;
}

export async function startWorkerRuntime<C extends Record<string, JobDefinition>>(options: WorkerRuntimeOptions<C>): Promise<WorkerRuntime> {
  assertProcessorsCoverCatalog(options.catalog, options.processors);
  const allQueues = [...new Set(Object.values(options.catalog).map((d) => d.queue))];
  const queues = options.queues?.length ? options.queues : allQueues;
  const unknownQueues = queues.filter((q) => !allQueues.includes(q));
  if (unknownQueues.length) {
    // a job's name in WORKER_QUEUES (prefill, autogen, retrain…) is the usual slip: name its queue
    const hints = unknownQueues.flatMap((q) => (options.catalog[q] ? [`"${q}" is a job of queue ${options.catalog[q].queue}`] : []));
    throw new WorkerConfigurationError(
      `unknown queue(s) in WORKER_QUEUES: ${unknownQueues.join(', ')}; known: ${allQueues.join(', ')}${hints.length ? ` (${hints.join('; ')})` : ''}`,
    );
  }

  const connections: Redis[] = [];
  const workers = queues.map((queue) => {
    const connection = options.connection();
    connections.push(connection);
    const worker = new Worker(queue, (job: Job) => runJob(options, job), {
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 1,
      ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
      settings: { backoffStrategy: (attemptsMade, _type, error, job) => backoffOf(options, job?.name, attemptsMade, error) },
      autorun: true,
    });
    worker.on('error', (error) => options.logger.error('worker error', { queue, error: error.message }));
    // payloads carry ids only: the line says which image/run this host did, for tracing across hosts
    worker.on('completed', (job) =>
      options.logger.info('job completed', { queue, job: job.name, jobId: job.id, payload: job.data, attempt: job.attemptsMade, ms: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined }),
    );
    worker.on('failed', (job, error) => {
      options.logger.warn('job failed', { queue, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, error: error.message });
      if (job && options.onJobGaveUp && isFinalFailure(job, error)) {
        options.onJobGaveUp(job.name, job.data, error).catch((hookError: unknown) =>
          options.logger.error('recording a given-up job failed', { queue, jobId: job.id, error: (hookError as Error).message }),
        );
      }
    });
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const jobs = Object.entries(options.catalog).filter(([, d]) => queues.includes(d.queue)).map(([name]) => name);
  options.logger.info('worker started', { queues, jobs, concurrency: options.concurrency ?? 1 });
  return {
    queues,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

const isOutageOf = (options: WorkerRuntimeOptions<Record<string, JobDefinition>>, error: unknown) => (options.isOutage ?? isRedisUnavailableError)(error);

/** The wait before the next try (CATALOG_BACKOFF): outages by OUTAGE_RETRY, other failures by the job's own backoff. */
function backoffOf(options: WorkerRuntimeOptions<Record<string, JobDefinition>>, name: string | undefined, attemptsMade: number, error: Error | undefined): number {
  const definition = name ? options.catalog[name] : undefined;
  if (!definition) return -1; // BullMQ: no retry
  return retryDelayMs(definition, attemptsMade, isOutageOf(options, error));
}

async function runJob<C extends Record<string, JobDefinition>>(options: WorkerRuntimeOptions<C>, job: Job): Promise<unknown> {
  const definition = options.catalog[job.name];
  const processor = options.processors[job.name] as Processor | undefined;
  if (!definition || !processor) throw new PermanentJobError(`no processor for job "${job.name}"`);
  const parsed = definition.payload.safeParse(job.data);
  if (!parsed.success) throw new PermanentJobError(`invalid payload for job ${job.name}: ${parsed.error.message}`);
  const attempt = job.attemptsMade + 1;
  try {
    return await processor(parsed.data, { jobId: job.id ?? '', attempt, progress: (value) => job.updateProgress(value) });
  } catch (error) {
    // BullMQ was told the outage budget (maxAttempts): a failure that is not an outage ends at the
    // job's own attempts
    if (error instanceof Error && !(error instanceof UnrecoverableError) && isLastAttempt(definition, attempt, isOutageOf(options, error)) && attempt < (job.opts.attempts ?? 1)) {
      throw new PermanentJobError(error.message, { cause: error });
    }
    throw error;
  }
}
