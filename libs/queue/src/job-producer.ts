import { randomBytes } from 'node:crypto';
import { Queue, type JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '@dataengine/contracts';
import { CATALOG_BACKOFF, jobCatalog, maxAttempts, type JobCatalog, type JobName, type JobPayload } from './job-catalog';
import { isRedisUnavailableError } from './redis-connection';

/** A job that is still to run or running (not completed, not failed for good). */
export interface LiveJob {
  id: string;
  state: 'waiting' | 'prioritized' | 'delayed' | 'active' | 'waiting-children';
  priority: number;
}

export interface JobProducer {
  /**
   * Queues the job unless a live job with the same dedup key exists (waiting, delayed, active);
   * then that job stands for this request, promoted to the requested priority when that is more
   * urgent. A finished job (completed or failed) never swallows a new request. Returns the id of
   * the job that will do the work.
   */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options?: { priority?: number; delayMs?: number }): Promise<string>;
  /**
   * Queues many jobs of one name in one round trip (a registration's page of ingests): each as
   * `enqueue` would, except that a payload whose live job already exists joins it without raising
   * its priority. Returns the ids in payload order.
   */
  enqueueMany<N extends JobName>(name: N, payloads: readonly JobPayload<N>[], options?: { priority?: number }): Promise<string[]>;
  /** The live job of this name and payload (same dedup key), or null when none is queued or running. */
  liveJob<N extends JobName>(name: N, payload: JobPayload<N>): Promise<LiveJob | null>;
  /** Redis round trip; throws SERVICE_UNAVAILABLE when Redis cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const ENQUEUE_TIMEOUT_MS = 3_000;
const LIVE_STATES: ReadonlySet<string> = new Set(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children']);
/** BullMQ priorities: 0 (none) runs before any prioritized job, then 1, 2, … */
const urgency = (priority: number | undefined) => (priority ? priority : 0);

/** Typed producers over the job catalog. Payloads are validated before they reach Redis. */
export function createJobProducer(options: { connection: Redis; prefix: string; catalog?: JobCatalog }): JobProducer {
  const catalog = options.catalog ?? jobCatalog;
  const queues = new Map<string, Queue>();
  const queueFor = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: options.connection, prefix: options.prefix });
      queue.on('error', () => undefined);
      queues.set(name, queue);
    }
    return queue;
  };
  const unavailable = (cause?: unknown) =>
    new AppError('SERVICE_UNAVAILABLE', 'the job queue (Redis) is unreachable; the request was not queued — try again shortly', undefined, { cause });

  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    if (options.connection.status !== 'ready') throw unavailable();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(unavailable(new Error('redis is unavailable: timed out'))), ENQUEUE_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (isRedisUnavailableError(error)) throw unavailable(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  const parse = <N extends JobName>(name: N, payload: JobPayload<N>) => {
    const definition = catalog[name];
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) throw new AppError('BAD_REQUEST', `invalid payload for job ${name}: ${parsed.error.message}`);
    return { definition, data: parsed.data as JobPayload<N>, key: (definition.dedupKey as (payload: unknown) => string)(parsed.data) };
  };

  /** The live job holding a dedup key (jobs queued before keys were used carry the key as their id). */
  const findLive = async (queue: Queue, key: string): Promise<LiveJob | null> => {
    const id = (await queue.getDeduplicationJobId(key)) ?? key;
    const job = await queue.getJob(id);
    if (!job?.id) return null;
    const state = (await job.getState()) as JobType | 'unknown';
    if (!LIVE_STATES.has(state)) return null;
    return { id: job.id, state: state as LiveJob['state'], priority: urgency(job.priority) };
  };

  /** BullMQ options of one request: a fresh id; BullMQ's deduplication maps the key to the live
   * job, and drops the key when that job completes or fails for good, so a later request queues again. */
  const jobOptions = (definition: JobCatalog[JobName], key: string, opts: { priority?: number; delayMs?: number }) => ({
    jobId: `${key}-${randomBytes(6).toString('hex')}`,
    deduplication: { id: key },
    // outages get more tries than other failures: the worker runtime decides each wait
    attempts: maxAttempts(definition),
    backoff: { type: CATALOG_BACKOFF },
    priority: opts.priority,
    delay: opts.delayMs,
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });

  return {
    async enqueue(name, payload, opts = {}) {
      const { definition, data, key } = parse(name, payload);
      return guard(async () => {
        const queue = queueFor(definition.queue);
        const jobOpts = jobOptions(definition, key, opts);
        const jobId = jobOpts.jobId;
        const job = await queue.add(name, data, jobOpts);
        const id = job.id ?? jobId;
        if (id === jobId) return id;
        // the request joined a live job: it must not run later than this request asked for
        const live = await queue.getJob(id);
        if (live && urgency(opts.priority) < urgency(live.priority)) await live.changePriority({ priority: urgency(opts.priority) });
        return id;
      });
    },
    async enqueueMany(name, payloads, opts = {}) {
      if (payloads.length === 0) return [];
      const parsed = payloads.map((payload) => parse(name, payload));
      return guard(async () => {
        const queue = queueFor(parsed[0]!.definition.queue);
        const bulk = parsed.map(({ definition, data, key }) => ({ name, data, opts: jobOptions(definition, key, opts) }));
        const jobs = await queue.addBulk(bulk);
        return jobs.map((job, i) => job.id ?? bulk[i]!.opts.jobId);
      });
    },
    async liveJob(name, payload) {
      const { definition, key } = parse(name, payload);
      return guard(() => findLive(queueFor(definition.queue), key));
    },
    async ping() {
      await guard(() => options.connection.ping());
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
