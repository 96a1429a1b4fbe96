import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createApiServer, type ApiDeps } from '@dataengine/api';
import { createLogger, loadConfig, type AppConfig } from '@dataengine/config';
import { migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { createEngineRuntime } from '@dataengine/engine';
import { dropSchema, ensureDatabase, TEST_DATABASE_URL, TEST_REDIS_URL, testSchemaName } from './test-database';

export interface TestEnv {
  config: AppConfig;
  deps: ApiDeps;
  schema: string;
  close(): Promise<void>;
}

/**
 * An isolated installation for one test file: its own PostgreSQL schema (migrated), blob
 * directory and BullMQ prefix, against the real PostgreSQL and Redis.
 */
export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const id = randomBytes(5).toString('hex');
  const schema = testSchemaName();
  const blobDir = await mkdtemp(path.join(os.tmpdir(), `dataengine-blobs-${id}-`));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test-${id}`,
    BLOB_DIR: blobDir,
    LOG_LEVEL: 'error',
    ...overrides,
  });
  await ensureDatabase(TEST_DATABASE_URL); // benchmarks and scripts run without the test runner's global setup
  await migrate({ connectionString: config.DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
  const logger = createLogger({ service: 'test', schema }, config.LOG_LEVEL);
  const runtime = createEngineRuntime(config, logger);
  return {
    config,
    schema,
    deps: { ...runtime.deps, cookieSecure: false, queuePrefix: config.QUEUE_PREFIX, requestLimits: { trpcMaxBodyBytes: config.TRPC_MAX_BODY_BYTES }, allowedOrigins: config.allowedOrigins, trustedProxies: config.trustedProxies },
    async close() {
      await runtime.close();
      await deleteRedisPrefix(config.REDIS_URL, config.QUEUE_PREFIX).catch(() => undefined);
      await dropSchema(config.DATABASE_URL, schema);
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Serves the real API (tRPC + binary routes) on an ephemeral loopback port. */
export async function startTestApi(deps: ApiDeps): Promise<{ url: string; close(): Promise<void> }> {
  const server = createApiServer(deps);
  // as the API process does (apps/api/src/main.ts): a client that waited a few seconds between
  // requests must not reuse a connection the server is closing at that moment (ECONNRESET)
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
