// Prefill and retrain with BLOB_STORE=s3 (a real S3 server process). Retrain: the worker snapshots the project to its
// local scratch directory for the trainer, then the snapshot goes to the bucket under its key (so
// any host finds it: held-out exclusion reads its split) and no local copy stays behind.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { startRunInputSchema } from '@dataengine/contracts';
import { prefillImage, registerCheckpoint, startRun, SYSTEM_ACTOR } from '@dataengine/engine';
import { createTestEnv, makeProject, makeUser, REPO_ROOT, startS3Server, waitFor, type MadeUser, type S3Server, type TestEnv } from '@dataengine/testing';
import { addSceneImages } from './loop-test-project';
import { startWorker, type RunningWorker } from './start-worker';

let s3: S3Server;
let env: TestEnv;
let worker: RunningWorker;
let ops: MadeUser;
let projectId: string;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'retrain-s3-'));
  env = await createTestEnv({ ...s3.env, BLOB_CACHE_DIR: path.join(tmp, 'cache'), TRAINER_DIR: path.join(REPO_ROOT, 'trainer'), TRAINER_THREADS: '1', AUTO_PROMOTE_MARGIN: '1', EVAL_MIN_MASKS: '6' });
  ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, slug: 'shapes', members: [{ user: annotator, role: 'annotator' }] })).id;
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models', 'default'), name: 'built-in default', activate: true });
  const { imageIds } = await addSceneImages(env.deps, { projectId, uploader: manager, annotator, count: 5, seed: 11 });
  await env.deps.db.image.updateMany({ where: { id: { in: imageIds.slice(-2) } }, data: { split: 'val' } });
  worker = await startWorker({ ...env.config, WORKER_QUEUES: 'train', WORKER_CONCURRENCY: 1 }, createLogger({ service: 'test-worker' }, 'error'));
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await env?.close();
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the model stages with BLOB_STORE=s3', () => {
  it('prefills an image: the built-in bundle (with its detector) and the image come from the bucket', async () => {
    const image = await env.deps.db.image.findFirstOrThrow({ where: { projectId }, orderBy: { id: 'asc' } });
    const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'prefill', projectId, imageIds: [image.id] }));
    const outcome = await prefillImage(env.deps, { runId: run.id, imageId: image.id });
    expect(outcome.status).toBe('done');
    expect(await env.deps.db.mask.count({ where: { runId: run.id } })).toBe(outcome.status === 'done' ? outcome.masks : -1);
    expect(await env.deps.db.runItem.findUniqueOrThrow({ where: { runId_imageId: { runId: run.id, imageId: image.id } } })).toMatchObject({ status: 'done' });
  }, 60_000);

  it('retrains: registers the candidate with its snapshot in the bucket and none left on local disk', async () => {
    const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'retrain', projectId, steps: 3, batch: 1, valFraction: 0.4, seed: 3, mode: 'full', refitSteps: 2, evaluate: false }));
    const done = await waitFor(async () => {
      const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
      return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
    }, 'the retrain to finish', 120_000, 250);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    const result = done.result as { candidateId: string; snapshotKey: string; snapshotId: string };
    const keys = await env.deps.blobs.list(result.snapshotKey);
    expect(keys.filter((k) => /\/sa_\d+\.jpg$/.test(k))).toHaveLength(5);
    expect(keys).toContain(`${result.snapshotKey}/split.json`);
    const manifest = JSON.parse((await env.deps.blobs.get(`${result.snapshotKey}/snapshot.json`)).toString('utf8')) as { id: string };
    expect(manifest.id).toBe(result.snapshotId);
    expect(await readdir(path.join(env.config.blobDir, 'snapshots')).catch(() => [])).toEqual([]);
    // the candidate's bundle is in the bucket too
    const candidate = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: result.candidateId } });
    expect(candidate.snapshotKey).toBe(result.snapshotKey);
    expect((await env.deps.blobs.list(candidate.bundleKey)).length).toBeGreaterThan(0);
  }, 150_000);
});
