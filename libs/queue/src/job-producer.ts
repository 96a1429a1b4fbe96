import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '@dataengine/contracts';
import { jobCatalog, type JobCatalog, type JobName, type JobPayload } from './job-catalog';
import { isRedisUnavailableError } from './redis-connection';

export interface JobProducer {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options?: { priority?: number; delayMs?: number }): Promise<string>;
  /** Redis round trip; throws SERVICE_UNAVAILABLE when Redis cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const ENQUEUE_TIMEOUT_MS = 3_000;

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

  return {
    async enqueue(name, payload, opts = {}) {
      const definition = catalog[name];
      const parsed = definition.payload.safeParse(payload);
      if (!parsed.success) throw new AppError('BAD_REQUEST', `invalid payload for job ${name}: ${parsed.error.message}`);
      const jobId = (definition.dedupKey as (payload: unknown) => string)(parsed.data);
      return guard(async () => {
        const job = await queueFor(definition.queue).add(name, parsed.data, {
          jobId,
          attempts: definition.attempts,
          backoff: definition.backoff,
          priority: opts.priority,
          delay: opts.delayMs,
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        });
        return job.id ?? jobId;
      });
    },
    async ping() {
      await guard(() => options.connection.ping());
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
