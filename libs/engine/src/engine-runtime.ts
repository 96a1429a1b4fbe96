import type { AppConfig, Logger } from '@dataengine/config';
import { createDb } from '@dataengine/db';
import { createEventPublisher, createJobProducer, createProducerConnection } from '@dataengine/queue';
import { LocalBlobStore } from '@dataengine/storage';
import type { Redis } from 'ioredis';
import type { EngineDeps } from './engine-deps';

export interface EngineRuntime {
  deps: EngineDeps & { redis: Redis };
  close(): Promise<void>;
}

/** Builds the shared dependencies of a process (API, worker, CLI) from its configuration. */
export function createEngineRuntime(config: AppConfig, logger: Logger): EngineRuntime {
  const db = createDb({ connectionString: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  const redis = createProducerConnection(config.REDIS_URL);
  const jobs = createJobProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  const blobs = new LocalBlobStore(config.blobDir);
  return {
    deps: { db, blobs, jobs, redis, events: createEventPublisher(redis, config.QUEUE_PREFIX), logger, settings: config },
    async close() {
      await jobs.close().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      await db.$disconnect();
    },
  };
}
