// An isolated installation for the browser suite: its own PostgreSQL schema (migrated), blob
// directory and BullMQ prefix on the shared PostgreSQL and Redis, seeded with the demo data.
// This file runs in Node (vitest globalSetup), never in the browser, so it may use the server
// libraries that the platform:web tag of apps/web otherwise keeps out.
/* eslint-disable @nx/enforce-module-boundaries */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createLogger, loadConfig } from '@dataengine/config';
import { migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { createEngineRuntime, seedDemo, type DemoSeedResult } from '@dataengine/engine';
import { dropSchema, ensureDatabase, TEST_DATABASE_URL, TEST_REDIS_URL, waitFor } from '@dataengine/testing';

export interface E2eInstallation {
  /** Environment of the api and worker processes. */
  env: Record<string, string>;
  seed(): Promise<DemoSeedResult>;
  waitForRuns(runIds: string[], timeoutMs: number): Promise<void>;
  destroy(): Promise<void>;
}

/** The demo as the brief for the browser tests fixes it: 8 small scenes. */
const DEMO_SEED = { images: 8, width: 480, height: 360, seed: 1 };

export async function createE2eInstallation(): Promise<E2eInstallation> {
  const id = randomBytes(5).toString('hex');
  const schema = `t_e2e_${id}`;
  const blobDir = await mkdtemp(path.join(os.tmpdir(), `dataengine-e2e-${id}-`));
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `e2e-${id}`,
    BLOB_DIR: blobDir,
    // info: startStack waits for the worker's "worker started" line
    LOG_LEVEL: 'info',
  };
  await ensureDatabase(TEST_DATABASE_URL);
  await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
  const runtime = createEngineRuntime(loadConfig(env), createLogger({ service: 'e2e-setup', schema }, 'warn'));

  return {
    env,
    seed: () => seedDemo(runtime.deps, DEMO_SEED),
    async waitForRuns(runIds, timeoutMs) {
      await waitFor(
        async () => {
          const runs = await runtime.deps.db.run.findMany({ where: { id: { in: runIds } }, select: { status: true, error: true } });
          const failed = runs.find((r) => r.status === 'failed' || r.status === 'cancelled');
          if (failed) throw new Error(`a seeding ingest run ended ${failed.status}: ${failed.error ?? 'no error recorded'}`);
          return runs.length === runIds.length && runs.every((r) => r.status === 'succeeded');
        },
        'the demo ingest runs to succeed',
        timeoutMs,
        200,
      );
    },
    async destroy() {
      await runtime.close();
      await deleteRedisPrefix(env.REDIS_URL, env.QUEUE_PREFIX);
      await dropSchema(TEST_DATABASE_URL, schema);
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
