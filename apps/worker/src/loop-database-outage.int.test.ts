// The retrain loop's runs against a database that goes away: PostgreSQL connections cut (backends
// terminated, every socket reset, new connections refused for a few seconds — a restart or
// fail-over) at the moment an evaluate run writes its verdict onto the candidate, or a retrain
// registers the checkpoint it trained: each waits the outage out and completes with its result
// recorded. A retrain whose trainer fails still fails at once, its job not tried again. The runs'
// processes reach PostgreSQL through a loopback proxy, so the outage touches nothing else.
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@dataengine/config';
import { startRunInputSchema } from '@dataengine/contracts';
import { createEngineRuntime, registerCheckpoint, runEvaluate, runRetrain, startRun, SYSTEM_ACTOR, type CheckpointRow, type EngineRuntime } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { createTestEnv, makeProject, makeUser, REPO_ROOT, startTcpProxy, TEST_DATABASE_URL, waitFor, type MadeUser, type TcpProxy, type TestEnv } from '@dataengine/testing';
import { addSceneImages } from './loop-test-project';
import { startWorker, type RunningWorker } from './start-worker';

let env: TestEnv;
let proxy: TcpProxy;
let proxied: EngineRuntime;
let admin: pg.Client;
let locker: pg.Client;
let ops: MadeUser;
let projectId: string;
let baseline: CheckpointRow;
let candidate: CheckpointRow;
const logs: { level: string; msg: string; fields: Record<string, unknown> }[] = [];

/** The process's log, kept for the assertions (and printed when one fails). */
function recordingLogger(): Logger {
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => void logs.push({ level, msg, fields });
  const logger: Logger = { debug: () => undefined, info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}
const outageWaits = (step?: string) => logs.filter((l) => l.msg === 'infrastructure unreachable; trying again' && (!step || l.fields['step'] === step));
const logTail = () => JSON.stringify(logs.slice(-15).map((l) => ({ ...l, fields: { ...l.fields, error: String(l.fields['error'] ?? '') } })), null, 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Backends of the proxied process, as pg_stat_activity shows them. */
const proxiedBackends = async (where = 'true') =>
  (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE client_addr = '127.0.0.1' AND client_port = ANY($1::int[]) AND ${where}`, [proxy.upstreamPorts()])).rows;

type Outcome = { ok: true } | { ok: false; error: unknown };

/**
 * Runs a run's processor while another session holds `lock`; once the processor waits on that lock
 * (the write the test aims at), PostgreSQL goes away for it — its backends terminated (57P01), every
 * socket reset, new connections refused — for `downMs`, during which the run must still be running.
 * Then the database is back and the processor's outcome is returned.
 */
async function cutDatabaseDuring(runId: string, processor: () => Promise<void>, lock: string, params: unknown[], downMs = 6_000): Promise<Outcome> {
  // another session than `admin`, whose view of pg_stat_activity would stay as it was at its BEGIN
  await locker.query('BEGIN');
  await locker.query(lock, params);
  let settled: Outcome | null = null;
  const running = processor().then(
    () => (settled = { ok: true }),
    (error: unknown) => (settled = { ok: false, error }),
  );
  try {
    await waitFor(async () => (await proxiedBackends("wait_event_type = 'Lock'")).length > 0 || settled !== null, 'the run to wait on the held lock', 120_000, 50);
    expect(settled, logTail()).toBeNull();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_addr = '127.0.0.1' AND client_port = ANY($1::int[])", [proxy.upstreamPorts()]);
    await proxy.cut();
    await locker.query('ROLLBACK');
    await sleep(downMs);
    expect(settled, logTail()).toBeNull();
    expect((await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe('running');
  } finally {
    await locker.query('ROLLBACK');
    await proxy.resume();
  }
  await running;
  return settled!;
}

beforeAll(async () => {
  // the held-out set here: 2 val images with 3 masks each
  env = await createTestEnv({ EVAL_NOC_MAX_CLICKS: '5', EVAL_MIN_MASKS: '6', TRAINER_DIR: path.join(REPO_ROOT, 'trainer'), TRAINER_THREADS: '1' });
  const target = new URL(env.config.DATABASE_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  proxied = createEngineRuntime({ ...env.config, DATABASE_URL: viaProxy() }, recordingLogger(), { service: 'worker' });
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  locker = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await locker.connect();

  ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  const bundles = path.join(env.config.blobDir, '..', `${path.basename(env.config.blobDir)}-bundles`);
  baseline = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(bundles, 'contract'), 'with-detector'), name: 'contract', projectId, activate: true });
  candidate = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models', 'default'), name: 'default as candidate', projectId, parentId: baseline.id });
  await addSceneImages(env.deps, { projectId, uploader: manager, annotator, count: 3, seed: 21 });
  await addSceneImages(env.deps, { projectId, uploader: manager, annotator, count: 2, seed: 22, split: 'val' });
});
afterAll(async () => {
  await admin?.end();
  await locker?.end();
  await proxied?.close();
  await proxy?.close();
  await env?.close();
});

describe('retrain loop runs during a database outage', () => {
  it('an evaluate run whose database goes away while it records its verdict waits and completes, result recorded', async () => {
    const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'evaluate', projectId, candidateId: candidate.id, autoPromoteMargin: 1, maxImages: 10 }));
    // the candidate's row is held, so the outage begins in the write of the verdict (after the scoring)
    const outcome = await cutDatabaseDuring(run.id, () => runEvaluate(proxied.deps, { runId: run.id }), `SELECT id FROM "${env.schema}".checkpoints WHERE id = $1 FOR UPDATE`, [candidate.id]);
    expect(outcome, logTail()).toEqual({ ok: true });

    const done = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.error, logTail()).toBeNull();
    expect(done.status).toBe('succeeded');
    const result = done.result as { decision: string; set: { images: number; masks: number }; candidate: { checkpointId: string; miou1: number } };
    expect(result.decision).toBe('awaiting ops decision');
    expect(result.set).toMatchObject({ images: 2, masks: 6 });
    // the verdict and the decision are on the candidate, from this run
    const row = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: candidate.id } });
    const recorded = (row.metrics as { evaluation: { runId: string; decision: string; candidate: { miou1: number } } }).evaluation;
    expect(recorded).toMatchObject({ runId: run.id, decision: 'awaiting ops decision' });
    expect(recorded.candidate.miou1).toBe(result.candidate.miou1);
    expect(row.status).toBe('candidate');
    // it was the verdict's write that met the outage and was tried again (1 s, 2 s, 4 s…)
    const waits = outageWaits('record the evaluation on the candidate');
    expect(waits.length, logTail()).toBeGreaterThanOrEqual(2);
    expect(waits.map((w) => w.fields['retryInMs']).slice(0, 3)).toEqual([1_000, 2_000, 4_000].slice(0, Math.min(3, waits.length)));
    expect(waits[0]!.fields).toMatchObject({ runId: run.id, source: 'the database (PostgreSQL)' });
    expect(logs.filter((l) => l.msg === 'gave up waiting for the infrastructure')).toEqual([]);
  }, 150_000);

  it('a retrain whose database goes away while it registers the trained candidate waits and registers it', async () => {
    logs.length = 0;
    const before = await env.deps.db.checkpoint.count();
    const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'retrain', projectId, initCheckpointId: candidate.id, mode: 'full', steps: 3, refitSteps: 2, batch: 1, valFraction: 0.4, seed: 3, evaluate: false }));
    // new checkpoint rows wait on the table's lock, so the outage begins in the registration (after the training)
    const outcome = await cutDatabaseDuring(run.id, () => runRetrain(proxied.deps, { runId: run.id }), `LOCK TABLE "${env.schema}".checkpoints IN SHARE MODE`, []);
    expect(outcome, logTail()).toEqual({ ok: true });

    const done = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.error, logTail()).toBeNull();
    expect(done.status).toBe('succeeded');
    const result = done.result as { candidateId: string; parentId: string; steps: number; snapshotKey: string };
    expect(result).toMatchObject({ parentId: candidate.id, steps: 5, refitSteps: 2 }); // 3 full steps + 2 refit steps
    const registered = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: result.candidateId } });
    expect(registered).toMatchObject({ status: 'candidate', parentId: candidate.id, projectId, snapshotKey: result.snapshotKey });
    expect((registered.metrics as { training: { steps: number } }).training.steps).toBe(5);
    // registered once, though the registration was sent again
    expect(await env.deps.db.checkpoint.count()).toBe(before + 1);
    expect(outageWaits('register the candidate checkpoint').length, logTail()).toBeGreaterThanOrEqual(2);
    expect(logs.filter((l) => l.msg === 'gave up waiting for the infrastructure')).toEqual([]);
  }, 180_000);

  it('a retrain whose trainer fails still fails at once: its job is not tried again and no outage is waited for', async () => {
    logs.length = 0;
    // a bundle without model.pt cannot be fine-tuned
    const noWeights = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(env.config.blobDir, '..', `${path.basename(env.config.blobDir)}-bundles`, 'onnx-only')), name: 'onnx only' });
    const worker: RunningWorker = await startWorker({ ...env.config, DATABASE_URL: viaProxy(), WORKER_QUEUES: 'train', WORKER_CONCURRENCY: 1 }, recordingLogger());
    const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('train', { connection, prefix: env.config.QUEUE_PREFIX });
    try {
      const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'retrain', projectId, initCheckpointId: noWeights.id, steps: 3, batch: 1, valFraction: 0.4, seed: 3, evaluate: false }));
      const done = await waitFor(async () => {
        const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
        return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
      }, 'the retrain to finish', 60_000, 100);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/^trainer failed: /);
      expect(done.error).toContain('model.pt');
      const job = await waitFor(async () => {
        const jobs = await queue.getJobs(['failed', 'completed', 'delayed', 'waiting', 'active']);
        const mine = jobs.find((j) => j.name === 'retrain' && (j.data as { runId: string }).runId === run.id);
        return mine && (await mine.getState()) === 'failed' ? mine : null;
      }, 'the retrain job to fail', 15_000, 100);
      expect(job.failedReason).toMatch(/trainer failed: /);
      // failed for good at its first try, and nothing waited for an outage on the way
      await sleep(1_500);
      const again = await queue.getJob(job.id!);
      expect(again?.attemptsMade).toBe(1);
      expect(await again?.getState()).toBe('failed');
      expect(outageWaits(), logTail()).toEqual([]);
    } finally {
      await queue.close();
      connection.disconnect();
      await worker.stop();
    }
  }, 120_000);
});

/** The test database's URL through the proxy. */
function viaProxy(): string {
  const url = new URL(env.config.DATABASE_URL);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}
