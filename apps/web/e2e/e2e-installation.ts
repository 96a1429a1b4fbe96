// An isolated installation for the browser suite: its own PostgreSQL schema (migrated), blob
// directory and BullMQ prefix on the shared PostgreSQL and Redis, seeded with the demo data.
// This file runs in Node (vitest globalSetup), never in the browser, so it may use the server
// libraries that the platform:web tag of apps/web otherwise keeps out.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registerCheckpoint, seedDemo, SYSTEM_ACTOR, type DemoSeedResult } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { createTestEnv, waitFor } from '@dataengine/testing';

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
  // info: startStack waits for the worker's "worker started" line
  const installation = await createTestEnv({ LOG_LEVEL: 'info' });
  const { config, deps } = installation;
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: config.DATABASE_URL,
    DATABASE_SCHEMA: installation.schema,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: config.QUEUE_PREFIX,
    BLOB_DIR: config.blobDir,
    LOG_LEVEL: 'info',
  };
  const bundleDir = await mkdtemp(path.join(tmpdir(), 'e2e-bundle-'));
  return {
    env,
    async seed() {
      // The active checkpoint is the contract bundle (SAM-SPEC.md §8), not models/default: its decoder
      // draws a disc of known radius around the first click, so the browser tests can assert exact
      // areas, and it does not change when the built-in model is retrained.
      await registerCheckpoint(deps, SYSTEM_ACTOR, { dir: await writeContractBundle(bundleDir), name: 'contract fixture', activate: true });
      return seedDemo(deps, DEMO_SEED);
    },
    async waitForRuns(runIds, timeoutMs) {
      await waitFor(
        async () => {
          const runs = await deps.db.run.findMany({ where: { id: { in: runIds } }, select: { status: true, error: true } });
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
      await installation.close();
      await rm(bundleDir, { recursive: true, force: true });
    },
  };
}
