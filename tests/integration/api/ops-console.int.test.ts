// The ops console's API over real Redis (BullMQ) and PostgreSQL: queue health with the workers
// online and the jobs they run, retry of failed jobs, the checkpoint audit trail, retrain
// schedules; and the refusal of everyone but ops and admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, promoteCheckpoint, type QueueHealthDto } from '@dataengine/engine';
import { createWorkerConnection, jobCatalog, PermanentJobError, startWorkerRuntime, type Processor, type WorkerRuntime } from '@dataengine/queue';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createTestEnv, loginCookie, makeProject, makeUser, startTestApi, trpcMutation, trpcQuery, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let worker: WorkerRuntime;
let ops: MadeUser;
let project: { id: string; name: string };
const cookies: Record<string, string> = {};

// The exchange queue's worker: an import job is held active until released; an export job fails
// on its first try (permanently for one run, for lack of tries for another) and succeeds when retried.
let releaseImport: () => void = () => undefined;
const importHeld = new Promise<void>((resolve) => (releaseImport = resolve));
let exportTries = 0;
/** export runs whose job fails: permanently (every try) or once (then succeeds) */
const exportFails = new Map<string, 'permanent' | 'once'>();

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  project = await makeProject(env.deps.db, { createdBy: manager, name: 'Console', members: [{ user: annotator, role: 'annotator' }] });
  const processors = Object.fromEntries(Object.keys(jobCatalog).map((name) => [name, async () => undefined])) as Record<string, Processor<never>>;
  processors['import'] = () => importHeld;
  processors['export'] = async (payload) => {
    exportTries += 1;
    const { runId } = payload as { runId: string };
    const fails = exportFails.get(runId);
    if (fails === 'permanent') throw new PermanentJobError('the export format is not supported');
    if (fails === 'once') {
      exportFails.delete(runId);
      throw new Error('the export target is full');
    }
  };
  worker = await startWorkerRuntime({
    catalog: jobCatalog,
    processors,
    connection: () => createWorkerConnection(env.config.REDIS_URL),
    prefix: env.config.QUEUE_PREFIX,
    queues: ['exchange'],
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  for (const [key, user] of Object.entries({ ops, manager, annotator })) cookies[key] = await loginCookie(api.url, user.email, user.password);
});
afterAll(async () => {
  releaseImport();
  await worker?.close();
  await api?.close();
  await env?.close();
});

/** An export job with one try (a failure is final at once), as a job whose retries are spent. */
async function addExportJob(runId: string): Promise<void> {
  const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('exchange', { connection, prefix: env.config.QUEUE_PREFIX });
  try {
    await queue.add('export', { runId }, { jobId: `export-${runId}`, attempts: 1 });
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

const queues = async () => {
  const res = await trpcQuery<QueueHealthDto[]>(api.url, 'ops.queues', undefined, cookies['ops']);
  expect(res.status).toBe(200);
  return res.data!;
};
const exchange = async () => (await queues()).find((q) => q.queue === 'exchange')!;

describe('queue health', () => {
  it('lists every queue of the job catalog with its jobs, and the workers online on each', async () => {
    const all = await queues();
    expect(all.map((q) => q.queue)).toEqual(['embed', 'exchange', 'infer', 'ingest', 'train']);
    expect(all.find((q) => q.queue === 'infer')!.jobs).toEqual(['prefill', 'autogen']);
    expect((await exchange()).workers).toHaveLength(1);
    expect(all.find((q) => q.queue === 'train')!.workers).toHaveLength(0);
  });

  it('shows what a worker runs now, resolved to its run and project', async () => {
    const run = await createRun(env.deps, { kind: 'import', projectId: project.id, createdById: ops.id, total: 1 });
    await env.deps.jobs.enqueue('import', { runId: run.id });
    const q = await waitFor(async () => {
      const snapshot = await exchange();
      return snapshot.counts.active === 1 ? snapshot : null;
    }, 'the import job to be active');
    expect(q.activeJobs).toHaveLength(1);
    expect(q.activeJobs[0]).toMatchObject({ name: 'import', runId: run.id, runKind: 'import', projectName: 'Console', attemptsMade: 0 });
    releaseImport();
    await waitFor(async () => (await exchange()).counts.active === 0, 'the import job to finish');
    expect((await exchange()).counts.completed).toBe(1);
  });

  it('retries the failed jobs a retry can help, which then complete; permanent failures stay failed and say why', async () => {
    // a failure past its tries (transient: a retry may help) and a permanent one (PermanentJobError)
    const transient = await createRun(env.deps, { kind: 'export', projectId: project.id, createdById: ops.id, total: 1 });
    const permanent = await createRun(env.deps, { kind: 'export', projectId: project.id, createdById: ops.id, total: 1 });
    exportFails.set(transient.id, 'once');
    exportFails.set(permanent.id, 'permanent');
    await addExportJob(transient.id); // one try, spent at once
    await env.deps.jobs.enqueue('export', { runId: permanent.id });
    const failed = await waitFor(async () => {
      const snapshot = await exchange();
      return snapshot.counts.failed === 2 ? snapshot : null;
    }, 'both export jobs to fail');
    const byRun = new Map(failed.recentFailures.map((f) => [f.runId, f]));
    expect(byRun.get(transient.id)).toMatchObject({ name: 'export', runKind: 'export', failedReason: 'the export target is full', notRetryable: null });
    expect(byRun.get(permanent.id)).toMatchObject({ failedReason: 'the export format is not supported', notRetryable: expect.stringContaining('failed permanently') });
    expect(failed.retryableFailures).toBe(1);

    const retried = await trpcMutation<{ retried: number; skipped: number }>(api.url, 'ops.retryFailed', { queue: 'exchange' }, cookies['ops']);
    expect(retried.data).toEqual({ queue: 'exchange', retried: 1, skipped: 1 });
    await waitFor(async () => (await exchange()).counts.completed === 2, 'the retried export job to complete');
    const after = await exchange();
    expect([after.counts.failed, after.retryableFailures]).toEqual([1, 0]);
    expect(after.recentFailures.map((f) => f.runId)).toEqual([permanent.id]);

    expect(exportTries).toBe(3);

    // a transient failure of a single-job run that is already closed: a retry would find nothing to do
    const closed = await createRun(env.deps, { kind: 'export', projectId: project.id, createdById: ops.id, total: 1 });
    exportFails.set(closed.id, 'once');
    await addExportJob(closed.id);
    await waitFor(async () => (await exchange()).counts.failed === 2, 'the closed run\'s export job to fail');
    await env.deps.db.run.update({ where: { id: closed.id }, data: { status: 'failed', finishedAt: new Date() } });
    const closedFailure = (await exchange()).recentFailures.find((f) => f.runId === closed.id)!;
    expect(closedFailure.notRetryable).toBe('its export run is already failed; start a new one');
    expect((await trpcMutation<{ retried: number; skipped: number }>(api.url, 'ops.retryFailed', { queue: 'exchange' }, cookies['ops'])).data).toEqual({ queue: 'exchange', retried: 0, skipped: 2 });

    const unknown = await trpcMutation(api.url, 'ops.retryFailed', { queue: 'gpu' }, cookies['ops']);
    expect(unknown.status).toBe(400);
    expect(unknown.error!.message).toContain('there is no queue named "gpu"; the queues are embed, exchange, infer, ingest, train');
  });
});

describe('checkpoint audit trail and retrain schedules', () => {
  it('lists promotions newest first, with who did it', async () => {
    const [a, b] = await Promise.all(
      ['first', 'second'].map((name) => env.deps.db.checkpoint.create({ data: { name, bundleKey: `checkpoints/${name}`, bundleHash: `hash-${name}`, manifest: {} } })),
    );
    await promoteCheckpoint(env.deps, ops, { checkpointId: a!.id, reason: 'first one' });
    await promoteCheckpoint(env.deps, ops, { checkpointId: b!.id, reason: 'better mIoU' });
    const res = await trpcQuery<{ checkpointName: string; action: string; fromStatus: string | null; toStatus: string; actor: string; reason: string }[]>(api.url, 'ops.checkpointEvents', { limit: 10 }, cookies['ops']);
    expect(res.status).toBe(200);
    expect(res.data!.slice(0, 3).map((e) => [e.checkpointName, e.fromStatus, e.toStatus, e.actor, e.reason])).toEqual([
      ['second', 'candidate', 'active', ops.email, 'better mIoU'],
      ['first', 'active', 'retired', ops.email, 'replaced by second'],
      ['first', 'candidate', 'active', ops.email, 'first one'],
    ]);
  });

  it('lists each project\'s schedule with the masks still to come', async () => {
    await env.deps.db.project.update({ where: { id: project.id }, data: { retrainEveryMasks: 50, retrainMaskMark: 10 } });
    await env.deps.db.stageCounter.update({ where: { projectId_stage: { projectId: project.id, stage: 'assisted_manual' } }, data: { masksManual: 25, masksAuto: 5 } });
    const res = await trpcQuery<{ projectId: string; everyMasks: number | null; masksNow: number; masksToNext: number | null }[]>(api.url, 'ops.retrainSchedules', undefined, cookies['ops']);
    expect(res.data!.find((s) => s.projectId === project.id)).toMatchObject({ everyMasks: 50, masksNow: 25, masksToNext: 35 }); // manual masks only, as the schedule counts

    const set = await trpcMutation<{ everyMasks: number | null; masksToNext: number | null }>(api.url, 'projects.setRetrainSchedule', { projectId: project.id, everyMasks: 20 }, cookies['ops']);
    expect(set.data).toMatchObject({ everyMasks: 20, masksToNext: 5 });
    const cadence = await trpcMutation<{ fullEvery: number | null; nextMode: string | null }>(api.url, 'projects.setRetrainSchedule', { projectId: project.id, everyMasks: 20, fullEvery: 1 }, cookies['ops']);
    expect(cadence.data).toMatchObject({ fullEvery: 1, nextMode: 'full' }); // every scheduled retrain full
    expect((await env.deps.db.project.findUniqueOrThrow({ where: { id: project.id } })).retrainEveryMasks).toBe(20);
    const off = await trpcMutation<{ everyMasks: number | null; masksToNext: number | null }>(api.url, 'projects.setRetrainSchedule', { projectId: project.id, everyMasks: null }, cookies['ops']);
    expect(off.data).toMatchObject({ everyMasks: null, masksToNext: null });
    expect((await trpcMutation(api.url, 'projects.setRetrainSchedule', { projectId: project.id, everyMasks: 5 }, cookies['manager'])).status).toBe(403);
  });
});

describe('access', () => {
  it('refuses managers and annotators on every ops procedure, whatever the UI shows', async () => {
    const calls = [
      () => trpcQuery(api.url, 'ops.queues', undefined, cookies['annotator']),
      () => trpcQuery(api.url, 'ops.checkpointEvents', { limit: 5 }, cookies['annotator']),
      () => trpcQuery(api.url, 'ops.retrainSchedules', undefined, cookies['manager']),
      () => trpcMutation(api.url, 'ops.retryFailed', { queue: 'exchange' }, cookies['annotator']),
      () => trpcMutation(api.url, 'runs.start', { kind: 'autogen', projectId: project.id }, cookies['annotator']),
      () => trpcQuery(api.url, 'ops.queues', undefined, cookies['manager']),
    ];
    for (const call of calls) {
      const res = await call();
      expect(res.status).toBe(403);
      expect(res.error!.data.appCode).toBe('FORBIDDEN');
    }
    expect((await trpcQuery(api.url, 'ops.queues', undefined)).status).toBe(401);
  });

  it("lets the project's managers cancel its exports and imports, not other runs; annotators none", async () => {
    const exportRun = await createRun(env.deps, { kind: 'export', projectId: project.id, createdById: ops.id, total: 1 });
    const prefillRun = await createRun(env.deps, { kind: 'prefill', projectId: project.id, createdById: ops.id, total: 1 });
    const refused = await trpcMutation(api.url, 'runs.cancel', { runId: exportRun.id }, cookies['annotator']);
    expect(refused.status).toBe(403);
    const notTheirs = await trpcMutation(api.url, 'runs.cancel', { runId: prefillRun.id }, cookies['manager']);
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.error!.message).toContain('cancelling runs needs the ops or admin role');
    const outsider = await makeUser(env.deps.db, { role: 'manager' });
    const outsiderCookie = await loginCookie(api.url, outsider.email, outsider.password);
    expect((await trpcMutation(api.url, 'runs.cancel', { runId: exportRun.id }, outsiderCookie)).status).toBe(403);
    const cancelled = await trpcMutation<{ status: string; error: string | null }>(api.url, 'runs.cancel', { runId: exportRun.id, reason: 'wrong format' }, cookies['manager']);
    expect(cancelled.status).toBe(200);
    expect(cancelled.data!.status).toBe('cancelled');
    expect(cancelled.data!.error).toContain('wrong format');
    expect((await trpcMutation(api.url, 'runs.cancel', { runId: prefillRun.id }, cookies['ops'])).status).toBe(200);
  });
});
