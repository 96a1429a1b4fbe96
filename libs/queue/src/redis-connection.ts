import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connection for producers and health checks: commands fail fast while Redis is away (no offline
 * queue, one retry) so API requests can answer 503 at once; ioredis keeps reconnecting meanwhile.
 */
export function createProducerConnection(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
    lazyConnect: false,
    ...options,
  });
  redis.on('error', () => undefined); // state is read from redis.status; errors surface on commands
  return redis;
}

/** Connection for BullMQ workers, which block on Redis and must retry forever (bullmq's rule). */
export function createWorkerConnection(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(200 * times, 2_000), ...options });
  redis.on('error', () => undefined);
  return redis;
}

export function isRedisUnavailableError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED|Reached the max retries|MaxRetriesPerRequest|redis is unavailable/i.test(message)
  );
}
