// Evaluate runs: candidate vs the active checkpoint on the same held-out set (the project's val
// images, recorded by id, images and masks) with the ONNX graphs the tools run; promotion by margin
// and its side effects (event, embed jobs in priority order, workers using the new bundle); a
// corrupt candidate refused at registration.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { AppError, startRunInputSchema } from '@dataengine/contracts';
import { cancelRun, getActiveCheckpoint, promoteByOps, registerCheckpoint, requestNextTask, runEvaluate, startRun, submitTask, SYSTEM_ACTOR, type CheckpointRow } from '@dataengine/engine';
import { subscribeToEvents, type EngineEvent } from '@dataengine/queue';
import { writeContractBundle } from '@dataengine/segment/testing';
import { createTestEnv, makeProject, makeUser, REPO_ROOT, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { addSceneImages } from './loop-test-project';
import { startWorker } from './start-worker';

let env: TestEnv;
let tmp: string;
let ops: MadeUser;
let annotator: MadeUser;
let projectId: string;
let baseline: CheckpointRow;
let candidate: CheckpointRow;
let valIds: number[];

type Bin = { lo: number; hi: number; count: number; predicted: number | null; actual: number | null };
type Metrics = { checkpointId: string; miou1: number; miou3: number; miou5: number; noc90: number; boxAp50: number | null; boxMiou1: number; calibrationError: number; calibration: Bin[]; images: number; objects: number };
type EvaluationSet = { id: string; images: number; masks: number; excludedImages: number };
type Verdict = { decision: string; images: number; masks: number; imageIds: number[]; set: EvaluationSet; candidate: Metrics; baseline: Metrics; miou1Gain: number; verdict: string; gatePassed: boolean; nocMaxClicks: number };

async function evaluate(autoPromoteMargin: number) {
  const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'evaluate', projectId, candidateId: candidate.id, autoPromoteMargin, maxImages: 10 }));
  await runEvaluate(env.deps, { runId: run.id }); // the processor, called as the worker calls it
  return env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
}

beforeAll(async () => {
  // the held-out set here: 2 val images with 3 masks each
  env = await createTestEnv({ EVAL_NOC_MAX_CLICKS: '5', EVAL_MIN_MASKS: '6' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'evaluate-'));
  ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  // baseline: the contract decoder (a disc around the first click); candidate: the trained default model
  baseline = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'contract'), 'with-detector'), name: 'contract', projectId, activate: true });
  candidate = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models', 'default'), name: 'default as candidate', projectId, parentId: baseline.id });
  await addSceneImages(env.deps, { projectId, uploader: manager, annotator, count: 3, seed: 21 });
  valIds = (await addSceneImages(env.deps, { projectId, uploader: manager, annotator, count: 2, seed: 22, split: 'val' })).imageIds;
});
afterAll(async () => {
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('evaluate run', () => {
  it('scores candidate and baseline on the same held-out images and waits for ops when the margin is not met', async () => {
    const run = await evaluate(1);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const verdict = run.result as Verdict;
    // the set: the project's val images (not the train ones), recorded by content
    expect(verdict.imageIds).toEqual(valIds);
    expect(verdict.set).toMatchObject({ images: 2, masks: 6, excludedImages: 0 });
    expect(verdict.set.id).toMatch(/^set:[0-9a-f]{12}$/);
    expect(verdict.candidate).toMatchObject({ checkpointId: candidate.id, images: 2, objects: 6 });
    expect(verdict.baseline).toMatchObject({ checkpointId: baseline.id, images: 2, objects: 6 });
    // what ops set thresholds with: one-click calibration and box-prompt mIoU, for both
    for (const m of [verdict.candidate, verdict.baseline]) {
      expect(m.calibration).toHaveLength(10);
      expect(m.calibration.reduce((n, b) => n + b.count, 0)).toBe(6);
      expect(m.calibrationError).toBeGreaterThanOrEqual(0);
      expect(m.boxMiou1).toBeGreaterThan(0);
    }
    // the contract decoder predicts float32(0.9) for the one-click channel, whatever the mask
    expect(verdict.baseline.calibration[8]!.count).toBe(6);
    // a trained model beats a fixed disc around the click
    expect(verdict.candidate.miou1).toBeGreaterThan(verdict.baseline.miou1);
    expect(verdict.candidate.miou5).toBeGreaterThanOrEqual(verdict.candidate.miou1);
    expect(verdict.candidate.noc90).toBeGreaterThanOrEqual(1);
    expect(verdict.candidate.noc90).toBeLessThanOrEqual(5);
    expect(verdict.candidate.boxAp50).not.toBeNull();
    expect(verdict.miou1Gain).toBeCloseTo(verdict.candidate.miou1 - verdict.baseline.miou1, 12);
    expect(verdict.decision).toBe('awaiting ops decision');
    expect([run.done, run.total]).toEqual([4, 4]);
    const row = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: candidate.id } });
    expect(row.status).toBe('candidate');
    // the candidate records the comparison: both on the one set, the gate's verdict and the decision
    const recorded = (row.metrics as { evaluation: Verdict & { runId: string } }).evaluation;
    expect(recorded).toMatchObject({ runId: run.id, set: verdict.set, decision: 'awaiting ops decision', gatePassed: false, verdict: verdict.verdict });
    // NoC's cap is recorded with it (the console names it beside NoC@90)
    expect(recorded.nocMaxClicks).toBe(env.deps.settings.EVAL_NOC_MAX_CLICKS);
    expect(recorded.candidate.miou1).toBe(verdict.candidate.miou1);
    expect(recorded.baseline).toMatchObject({ checkpointId: baseline.id, miou1: verdict.baseline.miou1 });
    expect((await getActiveCheckpoint(env.deps, projectId))!.id).toBe(baseline.id);
    // ops cannot promote it with one click: the gate's verdict comes back, with what confirming takes
    const refused = await promoteByOps(env.deps, ops, { checkpointId: candidate.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).message).toBe(`the promotion gate did not pass ${candidate.name}: ${verdict.verdict}. To promote it anyway, confirm with overrideGate: true and a reason (recorded in the audit trail)`);

    // the same images and masks give the same set id; an edited mask gives another
    const again = (await evaluate(1)).result as Verdict;
    expect(again.set.id).toBe(verdict.set.id);
    const mask = await env.deps.db.mask.findFirstOrThrow({ where: { imageId: valIds[0]! } });
    await env.deps.db.mask.update({ where: { id: mask.id }, data: { version: { increment: 1 } } });
    expect(((await evaluate(1)).result as Verdict).set.id).not.toBe(verdict.set.id);
  });

  it('promotes by margin: event to open tools, embed jobs for held images first, workers use the new bundle', async () => {
    // one image held by an annotator, one submitted, the rest waiting in the queue
    const held = (await requestNextTask(env.deps, annotator, { projectId }))!;
    await submitTask(env.deps, annotator, { taskId: held.id, activeMs: 1_000 });
    const leased = (await requestNextTask(env.deps, annotator, { projectId }))!;
    const subscriber = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const events = await subscribeToEvents(subscriber, env.config.QUEUE_PREFIX);
    const seen: EngineEvent[] = [];
    events.listen((e) => seen.push(e));
    try {
      const run = await evaluate(0);
      const verdict = run.result as Verdict;
      expect(verdict.decision).toBe('promoted');
      expect((await getActiveCheckpoint(env.deps, projectId))!.id).toBe(candidate.id);
      expect((await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: baseline.id } })).status).toBe('retired');
      const audit = await env.deps.db.checkpointEvent.findFirstOrThrow({ where: { checkpointId: candidate.id, toStatus: 'active' } });
      expect(audit.reason).toContain(`evaluate run ${run.id}`);
      await waitFor(() => seen.find((e) => e.checkpointId === candidate.id), 'the checkpoint.activated event');
    } finally {
      await events.close();
      subscriber.disconnect();
    }

    const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('embed', { connection, prefix: env.config.QUEUE_PREFIX });
    try {
      const jobs = (await queue.getJobs(['prioritized', 'waiting'])).filter((j) => j.data.checkpointId === candidate.id);
      const priorityOf = new Map(jobs.map((j) => [j.data.imageId as number, j.opts.priority]));
      const ready = await env.deps.db.image.findMany({ where: { projectId, status: 'ready' }, select: { id: true } });
      expect([...priorityOf.keys()].sort()).toEqual(ready.map((r) => r.id).sort());
      expect(priorityOf.get(leased.image.id)).toBe(1);
      expect(priorityOf.get(held.image.id)).toBe(50);
      const open = ready.map((r) => r.id).filter((id) => id !== leased.image.id && id !== held.image.id);
      for (const id of open) expect(priorityOf.get(id)).toBe(5);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    // a running worker takes the new checkpoint from the job: no restart
    const worker = await startWorker({ ...env.config, WORKER_QUEUES: 'embed', WORKER_CONCURRENCY: 1 }, createLogger({ service: 'test-worker' }, 'error'));
    try {
      await waitFor(() => env.deps.db.embedding.findUnique({ where: { imageId_checkpointId: { imageId: leased.image.id, checkpointId: candidate.id } } }), 'the held image embedded with the new checkpoint', 30_000);
    } finally {
      await worker.stop();
    }
  });

  it('cancel stops a running evaluation between images, without a decision', async () => {
    const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'evaluate', projectId, candidateId: candidate.id, baselineId: baseline.id, autoPromoteMargin: 0 }));
    const evaluating = runEvaluate(env.deps, { runId: run.id });
    // as soon as it runs (opening both bundles and scoring takes far longer than a 10 ms poll)
    await waitFor(async () => ((await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } })).status === 'running' ? true : null), 'the evaluation to start', 20_000, 10);
    await cancelRun(env.deps, ops, { runId: run.id, reason: 'enough' });
    await evaluating;
    const done = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.status).toBe('cancelled');
    expect(done.error).toBe(`cancelled by ${ops.email}: enough`);
    expect(done.result).toBeNull();
    expect(done.done).toBeLessThan(4);
  });

  it('a corrupt candidate (wrong tensor shapes) is refused at registration; the active checkpoint stays', async () => {
    const active = (await getActiveCheckpoint(env.deps, projectId))!;
    const before = await env.deps.db.checkpoint.count();
    const dir = await writeContractBundle(path.join(tmp, 'corrupt'), 'encoder-embedding-shape');
    const error = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name: 'corrupt', projectId, parentId: active.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('UNPROCESSABLE');
    expect((error as AppError).message).toMatch(/^checkpoint bundle rejected: /);
    expect((error as AppError).message).toContain('encoder.onnx: output "image_embeddings" expected float32 [1, 256, 64, 64], found float32 [1, 256, 32, 32]');
    expect(await env.deps.db.checkpoint.count()).toBe(before);
    expect((await getActiveCheckpoint(env.deps, projectId))!.id).toBe(active.id);
  });
});
