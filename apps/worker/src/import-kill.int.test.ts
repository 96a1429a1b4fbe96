// A worker process killed with SIGKILL in the middle of a long import. Its job's lock expires, the
// next worker takes the job again and the import finishes with every annotation stored once; a
// job whose workers die twice is given up by the queue, and its run fails saying the worker
// stopped and that it must be started again — it never stays "running".
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addSyntheticImages,
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  manyAnnotationCoco,
  spawnService,
  stackEnvFor,
  startTestApi,
  waitFor,
  type MadeUser,
  type ServiceProcess,
  type TestEnv,
} from '@dataengine/testing';

// short BullMQ locks so a dead worker's job is taken again within seconds (production: 30 s + 30 s)
const WORKER_ENV = { WORKER_QUEUES: 'exchange', WORKER_LOCK_MS: '4000', WORKER_STALLED_CHECK_MS: '1000', RUN_SWEEP_INTERVAL_MS: '1000', RUN_STUCK_AFTER_MS: '60000' };
const ANNOTATIONS = 100_000;
const W = 1024;
const H = 768;

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let manager: MadeUser;
let cookie: string;
let file: Buffer;
let redis: Redis;
const workers: ServiceProcess[] = [];

async function startWorkerProcess(): Promise<ServiceProcess> {
  const worker = spawnService(`worker-${workers.length + 1}`, process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], { ...stackEnvFor(env), ...WORKER_ENV });
  workers.push(worker);
  await waitFor(() => worker.output().includes('"worker started"'), 'the worker process to start', 60_000, 100);
  return worker;
}

async function kill(worker: ServiceProcess): Promise<number> {
  const exited = new Promise((resolve) => worker.child.once('exit', (_code, signal) => resolve(signal)));
  worker.child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return Date.now();
}

async function projectWithImage(): Promise<string> {
  const { id } = await makeProject(env.deps.db, { createdBy: manager });
  await addSyntheticImages(env.deps, manager, { projectId: id, seeds: [77], width: W, height: H, fileName: () => 'dense.png' });
  return id;
}

async function startImport(projectId: string): Promise<string> {
  const res = await fetch(`${api.url}/api/projects/${projectId}/import?format=coco`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: file as unknown as BodyInit });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const run = (id: string) => env.deps.db.run.findUniqueOrThrow({ where: { id } });
const finished = (id: string, timeoutMs = 120_000) =>
  waitFor(async () => {
    const r = await run(id);
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
  }, `run ${id} to finish`, timeoutMs, 100);
/** The import job, active in a worker that picked it up after `since`. */
const activeSince = (since: number) =>
  waitFor(async () => {
    const queue = new Queue('exchange', { connection: redis, prefix: env.config.QUEUE_PREFIX });
    try {
      return (await queue.getActive()).find((j) => (j.processedOn ?? 0) > since) ?? null;
    } finally {
      await queue.close();
    }
  }, 'a worker to take the import job', 60_000, 100);

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  redis = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  cookie = await loginCookie(api.url, manager.email, manager.password);
  file = manyAnnotationCoco({ annotations: ANNOTATIONS, fileName: 'dense.png', width: W, height: H });
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  redis?.disconnect();
  await api?.close();
  await env?.close();
});

describe('a worker killed with SIGKILL mid-import', () => {
  it('leaves a job that the next worker takes up again: the import finishes, every annotation stored once', async () => {
    const projectId = await projectWithImage();
    const first = await startWorkerProcess();
    const runId = await startImport(projectId);
    // killed while it inserts (its first batches are in)
    await waitFor(async () => Number(((await run(runId)).progress as { imported?: number } | null)?.imported ?? 0) >= 5_000, 'the import to be inserting', 120_000, 50);
    const killedAt = await kill(first);
    expect((await run(runId)).status).toBe('running');
    const before = await env.deps.db.mask.count({ where: { projectId } });
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(ANNOTATIONS);

    await startWorkerProcess();
    const retaken = await activeSince(killedAt);
    const done = await finished(runId);
    console.log(`killed after ${before} masks; job taken again ${(retaken.processedOn! - killedAt) / 1000} s after the kill; run ${done.status} ${(Date.now() - killedAt) / 1000} s after it`);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    const result = done.result as { annotations: { total: number; imported: number; skipped: number; failed: number } };
    // the second delivery starts over: what the first had inserted is recognised and skipped
    expect(result.annotations).toEqual({ total: ANNOTATIONS, imported: ANNOTATIONS - before, skipped: before, failed: 0 });
    expect(await env.deps.db.mask.count({ where: { projectId } })).toBe(ANNOTATIONS);
    const counters = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'assisted_manual' } } });
    expect(counters.masksManual).toBe(ANNOTATIONS);
    for (const w of workers.splice(0)) await w.stop();
  }, 300_000);

  it('twice on the same import: the queue gives the job up and the run fails, saying the worker stopped', async () => {
    const projectId = await projectWithImage();
    const first = await startWorkerProcess();
    const runId = await startImport(projectId);
    await waitFor(async () => Number(((await run(runId)).progress as { imported?: number } | null)?.imported ?? 0) >= 2_000, 'the import to be inserting', 120_000, 50);
    const firstKill = await kill(first);

    const second = await startWorkerProcess();
    await activeSince(firstKill);
    await new Promise((r) => setTimeout(r, 1_500)); // well into its second delivery
    const secondKill = await kill(second);
    expect((await run(runId)).status).toBe('running');

    await startWorkerProcess();
    const failed = await finished(runId, 60_000);
    console.log(`run failed ${(Date.now() - secondKill) / 1000} s after the second kill: ${failed.error}`);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/the worker stopped while running this import \(killed or out of memory\) more often than allowed; start it again/);
    expect(failed.finishedAt).not.toBeNull();
    for (const w of workers.splice(0)) await w.stop();
  }, 300_000);
});
