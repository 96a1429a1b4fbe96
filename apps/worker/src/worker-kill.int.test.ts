// Reliability: a worker process killed with SIGKILL in the middle of an autogen run. Its job's lock
// expires, another worker takes the job again, and the run completes with every image processed
// exactly once: the same masks per image as a clean pass, none twice.
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { prefillImage, registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import {
  addSyntheticImages,
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  REPO_ROOT,
  spawnService,
  startTestApi,
  trpcMutation,
  waitFor,
  type ServiceProcess,
  type TestEnv,
} from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

// short BullMQ locks so the dead worker's job is taken again within seconds (production: 30 s)
const WORKER_ENV = { WORKER_QUEUES: 'infer', WORKER_CONCURRENCY: '1', WORKER_LOCK_MS: '5000', WORKER_STALLED_CHECK_MS: '1000' };
const PARAMS = { kind: 'autogen', preset: 'sam-default', overrides: { pointsPerSide: 6, predIouThresh: 0.25, stabilityScoreThresh: 0.3 }, allowEarlierStages: true };
// the machine is shared: allow for a loaded CPU (about 30 s when idle)
const SLOW_MACHINE_TIMEOUT_MS = 150_000;

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let cookie: string;
let projectId: string;
let imageIds: number[];
let child: ServiceProcess | undefined;
let worker: RunningWorker | undefined;
let expected: Record<number, string[]>;

const finished = (runId: string) =>
  waitFor(async () => {
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
  }, `run ${runId} to finish`, 90_000, 200);

async function startAutogen(): Promise<string> {
  const res = await trpcMutation<{ id: string }>(api.url, 'runs.start', { ...PARAMS, projectId }, cookie);
  if (!res.data) throw new Error(`runs.start refused: ${res.error?.message}`);
  return res.data.id;
}

async function masksByImage(runId: string): Promise<Record<number, string[]>> {
  const rows = await env.deps.db.mask.findMany({ where: { runId }, select: { imageId: true, rleCounts: true }, orderBy: { id: 'asc' } });
  const out: Record<number, string[]> = {};
  for (const r of rows) (out[r.imageId] ??= []).push(r.rleCounts);
  return out;
}

async function activeInferJobs(): Promise<number> {
  const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('infer', { connection, prefix: env.config.QUEUE_PREFIX });
  try {
    return (await queue.getJobCounts('active')).active ?? 0;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

beforeAll(async () => {
  env = await createTestEnv(WORKER_ENV);
  api = await startTestApi(env.deps);
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models/default'), activate: true });
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  imageIds = await addSyntheticImages(env.deps, manager, { projectId, seeds: [11, 12, 13], width: 256, height: 192 });
  cookie = await loginCookie(api.url, ops.email, ops.password);
});
afterAll(async () => {
  await child?.stop();
  await worker?.stop();
  await api?.close();
  await env?.close();
});

describe('a worker killed with SIGKILL mid-run', () => {
  it('leaves a run that another worker completes with every image processed exactly once', async () => {
    // the reference: one clean pass over the images
    worker = await startWorker(env.config, createLogger({ service: 'clean-worker' }, 'error'));
    const clean = await finished(await startAutogen());
    await worker.stop();
    worker = undefined;
    expect(clean).toMatchObject({ status: 'succeeded', done: imageIds.length, failed: 0 });
    expected = await masksByImage(clean.id);
    expect(Object.values(expected).flat().length).toBeGreaterThan(0);

    // the same run again, on a worker process that dies part-way
    const runId = await startAutogen();
    const c = env.config;
    child = spawnService('worker', process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      ...WORKER_ENV,
      NODE_ENV: 'test',
      DATABASE_URL: c.DATABASE_URL,
      DATABASE_SCHEMA: c.DATABASE_SCHEMA,
      REDIS_URL: c.REDIS_URL,
      QUEUE_PREFIX: c.QUEUE_PREFIX,
      BLOB_DIR: c.blobDir,
      LOG_LEVEL: 'info',
    });
    await waitFor(() => child!.output().includes('"worker started"'), 'the worker process to start', 40_000, 100);
    await waitFor(async () => (await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } })).done >= 1, 'the worker process to finish an image', 40_000, 50);
    const exited = new Promise((resolve) => child!.child.once('exit', (_code, signal) => resolve(signal)));
    child.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(atKill.done).toBeLessThan(imageIds.length);
    // it died holding a job: that job is still "active" under the dead worker's lock
    expect(await activeInferJobs()).toBe(1);

    worker = await startWorker(env.config, createLogger({ service: 'second-worker' }, 'error'));
    const run = await finished(runId);
    expect(run).toMatchObject({ status: 'succeeded', done: imageIds.length, failed: 0, error: null });
    const items = await env.deps.db.runItem.findMany({ where: { runId } });
    expect(items.map((i) => i.status)).toEqual(imageIds.map(() => 'done'));
    // exactly the masks of the clean pass, image by image: nothing lost, nothing stored twice
    expect(await masksByImage(runId)).toEqual(expected);
    const counter = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'fully_automatic' } } });
    expect(counter.masksAuto).toBe(2 * Object.values(expected).flat().length);
    expect(await env.deps.db.mask.count({ where: { projectId } })).toBe(counter.masksAuto);
  }, SLOW_MACHINE_TIMEOUT_MS);

  it('commits once when two deliveries of the same job run at the same time (a lock lost by a slow worker)', async () => {
    await worker?.stop();
    worker = undefined;
    const imageId = imageIds[0]!;
    const thresholds = { predIouThresh: 0.5, stabilityScoreThresh: 0.5 };
    const res = await trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'prefill', projectId, imageIds: [imageId], ...thresholds }, cookie);
    const runId = res.data!.id;
    // no worker consumes the queue: the use case is called directly, twice at once
    const outcomes = await Promise.all([prefillImage(env.deps, { runId, imageId }), prefillImage(env.deps, { runId, imageId })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['done', 'skipped']);
    const stored = (await masksByImage(runId))[imageId] ?? [];
    expect(stored.length).toBeGreaterThan(0);
    const committed = outcomes.find((o) => o.status === 'done');
    expect(stored).toHaveLength(committed?.status === 'done' ? committed.masks : -1);
    expect(new Set(stored).size).toBe(stored.length);
    expect(await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: 'succeeded', done: 1, failed: 0 });
    const counter = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'semi_automatic' } } });
    expect(counter.masksPrefill).toBe(stored.length);
    // a late re-delivery after the run finished does nothing
    expect(await prefillImage(env.deps, { runId, imageId })).toMatchObject({ status: 'skipped' });
    expect(await env.deps.db.mask.count({ where: { runId } })).toBe(stored.length);
  });
});
