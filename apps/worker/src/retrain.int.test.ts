// The retrain loop end to end against the real trainer subprocess (a few fine-tuning steps of the
// built-in model on small synthetic scenes), PostgreSQL, Redis and a worker on the train queue.
import { spawn } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { startRunInputSchema, type StartRunInput } from '@dataengine/contracts';
import { cancelRun, embedImage, embeddingKey, failAbandonedRuns, promoteCheckpoint, queuePromotionEmbeddings, registerCheckpoint, runRetrain, startRun, SYSTEM_ACTOR, type CheckpointRow } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { createTestEnv, makeProject, makeUser, REPO_ROOT, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { addSceneImages } from './loop-test-project';
import { startWorker, type RunningWorker } from './start-worker';

let env: TestEnv;
let worker: RunningWorker;
let ops: MadeUser;
let annotator: MadeUser;
let manager: MadeUser;
let projectId: string;
let builtIn: CheckpointRow;

const FINISHED = ['succeeded', 'failed', 'cancelled'];
const finished = (runId: string, timeoutMs = 45_000) =>
  waitFor(async () => {
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    return FINISHED.includes(run.status) ? run : null;
  }, `run ${runId} to finish`, timeoutMs, 200);
const retrainInput = (overrides: Partial<StartRunInput & { kind: 'retrain' }> = {}) =>
  startRunInputSchema.parse({ kind: 'retrain', projectId, steps: 3, batch: 1, valFraction: 0.4, seed: 3, ...overrides });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  // AUTO_PROMOTE_MARGIN 1: the evaluation a retrain starts never promotes here (evaluate.int.test.ts covers promotion)
  // EVAL_MIN_MASKS 6: the held-out set here is two images of three masks each
  env = await createTestEnv({ TRAINER_DIR: path.join(REPO_ROOT, 'trainer'), TRAINER_THREADS: '1', AUTO_PROMOTE_MARGIN: '1', EVAL_NOC_MAX_CLICKS: '5', EVAL_MIN_MASKS: '6' });
  ops = await makeUser(env.deps.db, { role: 'ops' });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, slug: 'shapes', members: [{ user: annotator, role: 'annotator' }] })).id;
  builtIn = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models', 'default'), name: 'built-in default', activate: true });
  const { imageIds } = await addSceneImages(env.deps, { projectId, uploader: manager, annotator, count: 5, seed: 11 });
  // the project's held-out set: the snapshot's val split, never trained on, what evaluate scores
  await env.deps.db.image.updateMany({ where: { id: { in: imageIds.slice(-2) } }, data: { split: 'val' } });
  worker = await startWorker({ ...env.config, WORKER_QUEUES: 'train', WORKER_CONCURRENCY: 1 }, createLogger({ service: 'test-worker' }, 'error'));
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

describe('retrain run', () => {
  it('snapshots the project, fine-tunes the active checkpoint, registers a candidate with lineage and evaluates it', async () => {
    const started = Date.now();
    // a full retrain: 3 steps of every part, then 2 refit steps on the trained encoder's embeddings
    const run = await startRun(env.deps, ops, retrainInput({ mode: 'full', refitSteps: 2 }));
    const done = await finished(run.id);
    const wall = (Date.now() - started) / 1000;
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    const result = done.result as { candidateId: string; steps: number; refitSteps: number; snapshotId: string; snapshotKey: string; snapshotSeconds: number; evaluateRunId: string; snapshot: { images: number; annotations: number; train: number; val: number } };
    expect(result.steps).toBe(5);
    expect(result.refitSteps).toBe(2);
    expect(result.snapshot).toMatchObject({ images: 5, annotations: 15, train: 3, val: 2 });
    expect([done.done, done.total]).toEqual([5, 5]);
    // the refit phase computed the trained encoder's embeddings of the 3 training images
    expect(done.progress as { step: number; embeddingsComputed: number }).toMatchObject({ step: 5, embeddingsComputed: 3 });

    const candidate = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: result.candidateId } });
    expect(candidate).toMatchObject({ status: 'candidate', parentId: builtIn.id, projectId, snapshotKey: result.snapshotKey, name: 'shapes r1' });
    expect((candidate.manifest as { lineage: { snapshot_id: string } }).lineage.snapshot_id).toBe(result.snapshotId);
    // the snapshot stays in the blob store (lineage), SA-1B layout, split by image
    const snapshotDir = path.join(env.config.blobDir, result.snapshotKey);
    const files = await readdir(snapshotDir);
    expect(files.filter((f) => /^sa_\d+\.jpg$/.test(f))).toHaveLength(5);
    const manifest = JSON.parse(await readFile(path.join(snapshotDir, 'snapshot.json'), 'utf8')) as { id: string };
    expect(manifest.id).toBe(result.snapshotId);
    // the trainer's work directory is gone
    expect(await readdir(path.join(env.config.blobDir, '.work', 'retrain'))).toEqual([]);

    const evaluation = await finished(result.evaluateRunId, 45_000);
    expect(evaluation.status).toBe('succeeded');
    const verdict = evaluation.result as { decision: string; images: number; candidate: { miou1: number }; baseline: { checkpointId: string; miou1: number } };
    expect(verdict.images).toBe(2);
    expect(verdict.baseline.checkpointId).toBe(builtIn.id);
    expect(verdict.decision).toBe('awaiting ops decision');
    const scored = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: result.candidateId } });
    expect(scored.status).toBe('candidate');
    expect((scored.metrics as { evaluation: { candidate: { miou1: number } } }).evaluation.candidate.miou1).toBe(verdict.candidate.miou1);
    console.log(`retrain (3 steps, 5 images 160×120, 15 masks): snapshot ${result.snapshotSeconds}s, retrain wall ${wall.toFixed(1)}s; evaluate wall ${((evaluation.finishedAt!.getTime() - evaluation.startedAt!.getTime()) / 1000).toFixed(1)}s; mIoU@1 candidate ${verdict.candidate.miou1.toFixed(3)} vs baseline ${verdict.baseline.miou1.toFixed(3)}`);
  });

  it('a fast retrain trains on the stored embeddings (drawing masks by the parent\'s one-click error), keeps the encoder, and its promotion embeds nothing', async () => {
    const images = await env.deps.db.image.findMany({ where: { projectId }, select: { id: true, split: true }, orderBy: { id: 'asc' } });
    for (const image of images) await embedImage(env.deps, { imageId: image.id, checkpointId: builtIn.id });
    const run = await startRun(env.deps, ops, retrainInput({ evaluate: false, hardExamples: true }));
    expect((run.params as { mode: string }).mode).toBe('fast');
    const done = await finished(run.id, 150_000);
    expect(done.error).toBeNull();
    const result = done.result as { candidateId: string; mode: string; storedEmbeddings: number; embeddingsComputed: number };
    // every training image's embedding came from the store; the trainer ran the encoder on none
    expect(result, JSON.stringify(result)).toMatchObject({ mode: 'fast', storedEmbeddings: 3, embeddingsComputed: 0 });
    // the parent answered one click on each training mask before the first step
    const hard = (done.result as { hardExamples?: { masks: number; parentMeanIou: number } }).hardExamples;
    expect(hard?.masks).toBeGreaterThan(0);
    expect(hard?.parentMeanIou).toBeGreaterThanOrEqual(0);
    expect(hard?.parentMeanIou).toBeLessThanOrEqual(1);
    const candidate = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: result.candidateId } });
    const parent = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: builtIn.id } });
    expect(candidate.encoderHash).toMatch(/^[0-9a-f]{64}$/);
    expect(candidate.encoderHash).toBe(parent.encoderHash);
    expect(candidate.bundleHash).not.toBe(parent.bundleHash); // the decoder and detector did train

    // what a promotion queues: nothing to compute, every embedding taken over
    expect(await queuePromotionEmbeddings(env.deps, candidate)).toEqual({ shared: images.length, leased: 0, open: 0, backfill: 0 });
    const promoted = await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: candidate.id, reason: 'test' });
    expect(promoted.status).toBe('active');
    const theirs = await env.deps.db.embedding.findMany({ where: { checkpointId: builtIn.id }, orderBy: { imageId: 'asc' } });
    const mine = await env.deps.db.embedding.findMany({ where: { checkpointId: candidate.id }, orderBy: { imageId: 'asc' } });
    expect(mine.map((e) => [e.imageId, e.blobKey])).toEqual(theirs.map((e) => [e.imageId, e.blobKey]));
    // an image embedded later under either checkpoint serves both
    const late = await embedImage(env.deps, { imageId: images[0]!.id, checkpointId: candidate.id });
    expect(late.blobKey).toBe(embeddingKey(parent.bundleHash, (await env.deps.db.image.findUniqueOrThrow({ where: { id: images[0]!.id } })).contentHash));
    // the project back on the built-in model for the tests that follow
    await env.deps.db.checkpoint.update({ where: { id: candidate.id }, data: { status: 'retired' } });
  }, 240_000);

  it('cancel stops the trainer process, registers nothing and says who cancelled', async () => {
    const before = await env.deps.db.checkpoint.count();
    const run = await startRun(env.deps, ops, retrainInput({ steps: 5_000, evaluate: false }));
    const training = await waitFor(async () => {
      const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
      const progress = r.progress as { step?: number; trainerPid?: number } | null;
      return progress?.step && progress.step >= 1 && progress.trainerPid ? progress : null;
    }, 'the trainer to report a step', 30_000, 200);
    expect(alive(training.trainerPid!)).toBe(true);
    await cancelRun(env.deps, ops, { runId: run.id, reason: 'wrong data' });
    const done = await finished(run.id);
    expect(done.status).toBe('cancelled');
    expect(done.error).toMatch(new RegExp(`^cancelled by ${ops.email}: wrong data; the trainer stopped at step \\d+ of 5000$`));
    expect(alive(training.trainerPid!)).toBe(false);
    expect(await env.deps.db.checkpoint.count()).toBe(before);
    await expect(access(path.join(env.config.blobDir, 'snapshots', run.id))).rejects.toThrow();
  });

  it('a project with no accepted masks is refused at the start, with what to do, and no run is made', async () => {
    const empty = (await makeProject(env.deps.db, { createdBy: manager, slug: 'empty' })).id;
    await addSceneImages(env.deps, { projectId: empty, uploader: manager, annotator, count: 1, seed: 12, masksPerImage: 0 });
    const before = await env.deps.db.run.count();
    await expect(startRun(env.deps, ops, retrainInput({ projectId: empty }))).rejects.toMatchObject({ code: 'CONFLICT', message: 'the project has no accepted masks to train on yet; annotate (or submit) some images first' });
    expect(await env.deps.db.run.count()).toBe(before);
  });

  it('a trainer failure fails the run with the trainer\'s one-line error', async () => {
    // a bundle without model.pt cannot be fine-tuned
    const dir = await writeContractBundle(path.join(env.config.blobDir, '..', `contract-${Date.now()}`));
    const noWeights = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name: 'onnx only' });
    const run = await startRun(env.deps, ops, retrainInput({ initCheckpointId: noWeights.id, evaluate: false }));
    const done = await finished(run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/^trainer failed: /);
    expect(done.error).not.toContain('\n');
    expect(done.error).toContain('model.pt');
  });

  it('a run whose worker died starts over cleanly (orphaned trainer killed); a silent one is failed', async () => {
    await worker.stop();
    const run = await startRun(env.deps, ops, retrainInput({ steps: 2, evaluate: false }));
    // as a dead worker leaves it: running, with the pid of a trainer still busy on this run
    const orphan = spawn('/usr/bin/python3', ['-c', 'import time; time.sleep(60)', 'dataengine_trainer', run.id], { stdio: 'ignore' });
    await env.deps.db.run.update({ where: { id: run.id }, data: { status: 'running', startedAt: new Date(), progress: { starts: 1, trainerPid: orphan.pid, host: os.hostname(), heartbeatAt: new Date().toISOString() } } });
    await runRetrain(env.deps, { runId: run.id });
    await waitFor(() => !alive(orphan.pid!), 'the orphaned trainer to be killed', 5_000);
    const done = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.status).toBe('succeeded');
    expect((done.progress as { starts: number }).starts).toBe(2);

    const silent = await startRun(env.deps, ops, retrainInput({ evaluate: false }));
    await env.deps.db.run.update({ where: { id: silent.id }, data: { status: 'running', startedAt: new Date(Date.now() - 3_600_000), progress: { heartbeatAt: new Date(Date.now() - 11 * 60_000).toISOString() } } });
    expect(await failAbandonedRuns(env.deps, projectId)).toBe(1);
    const failed = await env.deps.db.run.findUniqueOrThrow({ where: { id: silent.id } });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/stopped responding/);
    worker = await startWorker({ ...env.config, WORKER_QUEUES: 'train', WORKER_CONCURRENCY: 1 }, createLogger({ service: 'test-worker' }, 'error'));
  });
});
