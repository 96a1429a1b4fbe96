import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { WorkerConfigurationError } from '@dataengine/queue';
import { addRunItems, createRun } from '@dataengine/engine';
import { createTestEnv, makeProject, makeUser, stackEnvFor, syntheticImageBytes, waitFor, type TestEnv } from '@dataengine/testing';
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
    await expect(startWorker({ ...env.config, WORKER_QUEUES: 'ingest,gpu-typo' }, logger)).rejects.toThrow(/unknown queue\(s\) in WORKER_QUEUES: gpu-typo; known: ingest, embed, infer/);
  });

  it('names the queue of a job given in WORKER_QUEUES instead of its queue', async () => {
    await expect(startWorker({ ...env.config, WORKER_QUEUES: 'embed,autogen,retrain' }, logger)).rejects.toThrow(
      '"autogen" is a job of queue infer; "retrain" is a job of queue train',
    );
  });

  it('the real worker process starts, then exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      env: { ...process.env, ...stackEnvFor(env), WORKER_QUEUES: 'ingest,exchange' },
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
    // the start-up line says which queues (and so which jobs) this host takes
    expect(output).toMatch(/"worker started".*"queues":\["ingest","exchange"\]/);
    expect(output).toMatch(/"jobs":\["ingest",[^\]]*"export"/);
  });

  it('closes the run item of an image job the queue gives up on, so the run still finishes', async () => {
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const project = await makeProject(env.deps.db, { createdBy: manager });
    const bytes = await syntheticImageBytes({ seed: 1, width: 64, height: 48 });
    const image = await env.deps.db.image.create({
      data: { projectId: project.id, contentHash: 'f'.repeat(64), blobKey: 'images/none', fileName: 'a.png', mime: 'image/png', byteSize: bytes.length, width: 64, height: 48, status: 'ready' },
    });
    const run = await createRun(env.deps, { kind: 'autogen', projectId: project.id, createdById: null, total: 1 });
    await addRunItems(env.deps, run.id, [image.id]);
    // a processor that never reaches its own failure handling (as when its workers die holding the job)
    const worker = await startWorker({ ...env.config, WORKER_QUEUES: 'infer' }, logger, (defaults) => ({
      ...defaults,
      autogen: () => Promise.reject(new Error('worker lost')),
    }));
    try {
      await env.deps.jobs.enqueue('autogen', { runId: run.id, imageId: image.id });
      const finished = await waitFor(async () => {
        const row = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
        return row.status === 'failed' ? row : null;
      }, 'the run to fail once the job is given up', 40_000, 250);
      expect(finished).toMatchObject({ done: 0, failed: 1 });
      const item = await env.deps.db.runItem.findUniqueOrThrow({ where: { runId_imageId: { runId: run.id, imageId: image.id } } });
      expect(item.status).toBe('failed');
      expect(item.error).toMatch(/^autogen of image \d+ failed on its last try: worker lost/);
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
