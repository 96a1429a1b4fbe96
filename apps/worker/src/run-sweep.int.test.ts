// No run and no upload waits forever: work that met a Redis outage, or whose job was lost, is queued
// again or closed with the reason. Uses a private redis-server (stopped and started here) so the
// shared one is untouched.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { createRun, sweepRuns } from '@dataengine/engine';
import {
  addSyntheticImages,
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  uploadBytes,
  waitFor,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

// the sweep looks every half second at work older than 1.5 s (production: every minute, 2 minutes)
const SWEEP_ENV = { RUN_SWEEP_INTERVAL_MS: '500', RUN_STUCK_AFTER_MS: '1500' };

let port: number;
let redis: ChildProcess;
let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let manager: MadeUser;
let managerCookie: string;
let opsCookie: string;
let projectId: string;
let worker: RunningWorker | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
    server.on('error', reject);
  });
}

async function startRedis(): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(async () => {
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }, `redis-server on port ${port}`);
  return child;
}

async function stopRedis(): Promise<void> {
  if (redis.exitCode !== null || redis.signalCode !== null) return;
  const exited = new Promise((resolve) => redis.once('exit', resolve));
  redis.kill('SIGKILL');
  await exited;
  await waitFor(() => env.deps.redis.status !== 'ready', 'the producer to notice Redis is gone');
}

async function restartRedis(): Promise<void> {
  redis = await startRedis();
  await waitFor(() => env.deps.redis.status === 'ready', 'the producer to reconnect', 20_000);
}

const image = (id: number) => env.deps.db.image.findUniqueOrThrow({ where: { id } });
const run = (id: string) => env.deps.db.run.findUniqueOrThrow({ where: { id } });
const finished = (runId: string, timeoutMs = 30_000) =>
  waitFor(async () => {
    const r = await run(runId);
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
  }, `run ${runId} to finish`, timeoutMs, 100);
const consume = async () => {
  worker ??= await startWorker({ ...env.config, WORKER_QUEUES: 'ingest,exchange' }, createLogger({ service: 'sweep-worker' }, 'error'));
};
const stopWorker = async () => {
  await worker?.stop();
  worker = undefined;
};
/** Makes a run (and its items) look as old as the sweep needs. */
async function age(runId: string, minutes = 60): Promise<void> {
  await env.deps.db.$executeRawUnsafe(`UPDATE "runs" SET "created_at" = now() - interval '${minutes} minutes' WHERE "id" = '${runId}'`);
  await env.deps.db.$executeRawUnsafe(`UPDATE "run_items" SET "updated_at" = now() - interval '${minutes} minutes' WHERE "run_id" = '${runId}'`);
}

beforeAll(async () => {
  port = await freePort();
  redis = await startRedis();
  env = await createTestEnv({ REDIS_URL: `redis://127.0.0.1:${port}`, ...SWEEP_ENV });
  api = await startTestApi(env.deps);
  manager = await makeUser(env.deps.db, { role: 'manager' });
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  managerCookie = await loginCookie(api.url, manager.email, manager.password);
  opsCookie = await loginCookie(api.url, ops.email, ops.password);
  await waitFor(() => env.deps.redis.status === 'ready', 'the producer connection');
});
afterAll(async () => {
  await stopWorker();
  await api?.close();
  await env?.close();
  if (redis && redis.exitCode === null) redis.kill('SIGKILL');
});

describe('work that met a Redis outage', () => {
  it('an upload answered 503 is ingested once Redis is back, without being sent again', async () => {
    await stopRedis();
    const upload = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed: 61, width: 96, height: 64 }), managerCookie, 'outage.jpg');
    expect(upload.status).toBe(503);
    const pending = await env.deps.db.image.findFirstOrThrow({ where: { projectId, fileName: 'outage.jpg' } });
    expect(pending.status).toBe('pending');

    await restartRedis();
    await consume();
    const started = Date.now();
    const ready = await waitFor(async () => {
      const row = await image(pending.id);
      return row.status === 'ready' ? row : null;
    }, 'the sweep to queue its ingest', 20_000, 100);
    expect(ready.thumbKey).toBeTruthy();
    console.log(`upload answered 503 during the outage: ingested ${Date.now() - started} ms after a worker started (stuck after ${SWEEP_ENV.RUN_STUCK_AFTER_MS} ms)`);
  });

  it('a file of an upload batch answered 503 and sent again counts once: the batch finishes with every file', async () => {
    await consume();
    const batch = await trpcMutation<{ id: string }>(api.url, 'runs.beginUpload', { projectId, files: 2 }, managerCookie);
    const runId = batch.data!.id;
    const a = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed: 62, width: 96, height: 64 }), managerCookie, 'a.jpg', `&runId=${runId}`);
    expect(a.status).toBe(201);
    await stopWorker(); // nothing consumes the queue while Redis is away anyway
    await stopRedis();
    const bBytes = await syntheticImageBytes({ seed: 63, width: 96, height: 64 });
    expect((await uploadBytes(api.url, projectId, bBytes, managerCookie, 'b.jpg', `&runId=${runId}`)).status).toBe(503);
    await restartRedis();
    const again = await uploadBytes(api.url, projectId, bBytes, managerCookie, 'b.jpg', `&runId=${runId}`);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    await consume();
    const done = await finished(runId);
    expect(done).toMatchObject({ status: 'succeeded', total: 2, done: 2, failed: 0 });
    expect((await image(again.body.image.id)).status).toBe('ready');
  });

  it('an export started while Redis is down fails at once, saying why, instead of staying queued', async () => {
    await stopRedis();
    try {
      const res = await trpcMutation(api.url, 'runs.start', { kind: 'export', projectId, format: 'coco-rle' }, opsCookie);
      expect(res.status).toBe(503);
      const row = await env.deps.db.run.findFirstOrThrow({ where: { projectId, kind: 'export' }, orderBy: { createdAt: 'desc' } });
      expect(row.status).toBe('failed');
      expect(row.error).toMatch(/could not be queued: the job queue \(Redis\) was unreachable; start it again/);
      expect(row.finishedAt).not.toBeNull();
    } finally {
      await restartRedis();
    }
  });
});

describe('the run sweep', () => {
  it('fails a single-job run that no job stands for, saying it must be started again', async () => {
    await stopWorker();
    const queued = await createRun(env.deps, { kind: 'export', projectId, createdById: null, params: { projectId, format: 'sa1b' } });
    const running = await createRun(env.deps, { kind: 'import', projectId, createdById: null, params: { projectId, format: 'coco' } });
    await env.deps.db.run.update({ where: { id: running.id }, data: { status: 'running', startedAt: new Date() } });
    // fresh runs are left alone: their job may be on its way
    await sweepRuns(env.deps, { stuckAfterMs: 60_000 });
    expect((await run(queued.id)).status).toBe('queued');
    await age(queued.id);
    await age(running.id);
    const swept = await sweepRuns(env.deps, { stuckAfterMs: 60_000 });
    expect(swept.failedRuns).toBe(2);
    expect(await run(queued.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/never reached a worker.*start it again/) });
    expect(await run(running.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/worker running this import stopped.*start it again/) });
  });

  it('queues an image run\'s lost jobs again (Redis lost its data) and the run completes', async () => {
    await stopWorker();
    const ids = await addSyntheticImages(env.deps, manager, { projectId, seeds: [64, 65, 66], width: 96, height: 64 });
    const res = await trpcMutation<{ id: string; total: number }>(api.url, 'runs.reingest', { projectId, all: true }, opsCookie);
    const started = res.data!;
    expect(started.total).toBeGreaterThanOrEqual(ids.length);
    // Redis restarted without persistence: every queued job is gone
    const connection = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null });
    const ingest = new Queue('ingest', { connection, prefix: env.config.QUEUE_PREFIX });
    await ingest.obliterate({ force: true });
    expect(await ingest.count()).toBe(0);
    await ingest.close();
    connection.disconnect();
    await age(started.id);

    await consume(); // its first sweep comes within seconds
    const done = await finished(started.id);
    expect(done).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(done.done).toBe(done.total);
  });

  it('closes an upload batch whose remaining files never came, saying how many', async () => {
    await consume();
    const batch = await trpcMutation<{ id: string }>(api.url, 'runs.beginUpload', { projectId, files: 3 }, managerCookie);
    const runId = batch.data!.id;
    expect((await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed: 67, width: 96, height: 64 }), managerCookie, 'c.jpg', `&runId=${runId}`)).status).toBe(201);
    await waitFor(async () => (await run(runId)).done === 1, 'the one file to be ingested');
    expect((await run(runId)).status).toBe('running');
    await age(runId);
    await sweepRuns(env.deps, { stuckAfterMs: 60_000, uploadIdleMs: 30 * 60_000 });
    expect(await run(runId)).toMatchObject({ status: 'succeeded', total: 1, done: 1, error: '2 of the 3 files of this upload batch never arrived; upload them again' });
  });
});
