import type { AppConfig, Logger } from '@dataengine/config';
import { createDb } from '@dataengine/db';
import { createEventPublisher, createJobProducer, createProducerConnection } from '@dataengine/queue';
import type { Redis } from 'ioredis';
import { createBlobStore } from './blob-store-from-config';
import type { EngineDeps } from './engine-deps';

export interface EngineRuntime {
  deps: EngineDeps & { redis: Redis };
  close(): Promise<void>;
}

export interface EngineRuntimeOptions {
  /** Which process this is (api, worker, cli…): names its database connections `dataengine-<service>`. */
  service?: string;
}

/** Builds the shared dependencies of a process (API, worker, CLI) from its configuration. */
export function createEngineRuntime(config: AppConfig, logger: Logger, options: EngineRuntimeOptions = {}): EngineRuntime {
  const db = createDb({
    connectionString: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    applicationName: `dataengine-${options.service ?? 'process'}`,
    // the pool replaces the connection; requests that were using it answer 503 (isDatabaseUnavailableError)
    onConnectionError: (error, info) => logger.warn('database connection lost', { application: info.applicationName, code: (error as { code?: unknown }).code, error: error.message }),
  });
  const redis = createProducerConnection(config.REDIS_URL);
  const jobs = createJobProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  const blobs = createBlobStore(config);
  if (blobs.ping && (options.service === 'api' || options.service === 'worker')) {
    // said once at start-up, so a wrong bucket or key shows in the first lines of the log (requests
    // and jobs that need bytes meanwhile answer 503 / retry with the same message)
    blobs.ping().then(
      () => logger.info('object storage ready', { bucket: config.S3_BUCKET, endpoint: config.S3_ENDPOINT ?? 'AWS' }),
      (error: unknown) => logger.warn('object storage unavailable at start-up', { error: (error as Error).message }),
    );
  }
  return {
    deps: { db, blobs, jobs, redis, events: createEventPublisher(redis, config.QUEUE_PREFIX), logger, settings: config },
    async close() {
      await jobs.close().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      await db.$disconnect();
    },
  };
}
