import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { WorkerConfigurationError } from '@dataengine/queue';
import { createTestEnv, waitFor, type TestEnv } from '@dataengine/testing';
import { startWorker } from './start-worker';

let env: TestEnv;
const logger = createLogger({ service: 'test-worker' }, 'error');

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('worker start-up', () => {
  it('refuses to start when a catalog job has no processor', async () => {
    const start = startWorker(env.config, logger, (defaults) => {
      const { ingest: _dropped, ...rest } = defaults;
      return rest;
    });
    await expect(start).rejects.toThrow(WorkerConfigurationError);
    await expect(start).rejects.toThrow('job "ingest" (queue ingest) has no processor');
  });

  it('refuses a processor for a job the catalog does not name', async () => {
    await expect(startWorker(env.config, logger, (defaults) => ({ ...defaults, resize: async () => undefined }))).rejects.toThrow(
      'processor "resize" matches no job in the catalog',
    );
  });

  it('refuses a queue name it does not know', async () => {
    await expect(startWorker({ ...env.config, WORKER_QUEUES: 'ingest,gpu-typo' }, logger)).rejects.toThrow(/unknown queue\(s\): gpu-typo/);
  });

  it('the real worker process starts, then exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: env.config.DATABASE_URL,
        DATABASE_SCHEMA: env.schema,
        REDIS_URL: env.config.REDIS_URL,
        QUEUE_PREFIX: env.config.QUEUE_PREFIX,
        BLOB_DIR: env.config.blobDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('"worker started"'), 'the worker to report it started', 30_000);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('worker stopping: finishing active jobs');
  });
});
