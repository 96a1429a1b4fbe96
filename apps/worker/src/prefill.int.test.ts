// Stage 2 end to end: ops starts a prefill run over HTTP, the real worker runs the built-in model's
// detector and decoder through onnxruntime-node, and the images become stage-2 tasks with scored
// prefill masks. A corrupt image fails alone; the run goes on.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { rleArea, rleToBboxSam } from '@dataengine/segment';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, REPO_ROOT, startTestApi, trpcMutation, waitFor, type TestEnv } from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let worker: RunningWorker;
let cookie: string;
let projectId: string;
let checkpointId: string;
let good: number[];
let corrupt: number;

const start = async (input: Record<string, unknown>) => {
  const res = await trpcMutation<{ id: string; total: number }>(api.url, 'runs.start', { kind: 'prefill', projectId, ...input }, cookie);
  if (!res.data) throw new Error(`runs.start refused: ${res.error?.message}`);
  return res.data;
};
const finished = (runId: string) =>
  waitFor(async () => {
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
  }, `prefill run ${runId} to finish`, 90_000, 200);

beforeAll(async () => {
  env = await createTestEnv({ WORKER_QUEUES: 'infer', WORKER_CONCURRENCY: '1' });
  api = await startTestApi(env.deps);
  checkpointId = (await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models/default'), activate: true })).id;
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  const ids = await addSyntheticImages(env.deps, manager, { projectId, seeds: [3, 4, 5], width: 256, height: 192 });
  good = ids.slice(0, 2);
  corrupt = ids[2]!;
  // the stored original of one image gets damaged after ingest
  const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: corrupt } });
  await env.deps.blobs.put(image.blobKey, Buffer.from('this is not an image any more'));
  cookie = await loginCookie(api.url, ops.email, ops.password);
  worker = await startWorker(env.config, createLogger({ service: 'test-worker' }, 'error'));
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.close();
});

describe('prefill runs', () => {
  it('store scored prefill masks, make the images stage-2 tasks, and fail a corrupt image alone', async () => {
    const thresholds = { boxScoreThreshold: 0.3, predIouThresh: 0.5, stabilityScoreThresh: 0.5, maxMasksPerImage: 20 };
    const started = await start(thresholds);
    expect(started.total).toBe(3);
    const run = await finished(started.id);
    expect(run).toMatchObject({ status: 'succeeded', done: 2, failed: 1, checkpointId });
    expect(run.error).toContain('1 of 3 images failed');
    const failedItem = await env.deps.db.runItem.findUniqueOrThrow({ where: { runId_imageId: { runId: run.id, imageId: corrupt } } });
    expect(failedItem.status).toBe('failed');
    expect(failedItem.error).toMatch(/embedding of image \d+ failed/);

    const masks = await env.deps.db.mask.findMany({ where: { runId: run.id }, orderBy: { id: 'asc' } });
    expect(masks.length).toBeGreaterThan(0);
    expect(new Set(masks.map((m) => m.imageId))).toEqual(new Set(good));
    const tasks = await env.deps.db.task.findMany({ where: { projectId, stage: 'semi_automatic' } });
    expect(tasks.map((t) => t.imageId).sort()).toEqual([...good].sort());
    expect(tasks.every((t) => t.status === 'open')).toBe(true);
    for (const m of masks) {
      expect(m).toMatchObject({ provenance: 'prefill', stage: 'semi_automatic', checkpointId, authorId: null, pointCoords: null, cropBox: null });
      expect(m.taskId).toBe(tasks.find((t) => t.imageId === m.imageId)!.id);
      expect(m.predictedIou!).toBeGreaterThanOrEqual(0.5);
      expect(m.stabilityScore!).toBeGreaterThanOrEqual(0.5);
      expect(m.stabilityScore!).toBeLessThanOrEqual(1);
      const rle = { size: [m.rleHeight, m.rleWidth] as [number, number], counts: m.rleCounts };
      expect([m.rleWidth, m.rleHeight]).toEqual([256, 192]);
      expect(m.area).toBe(rleArea(rle));
      expect(m.area).toBeGreaterThan(0);
      expect([m.bboxX, m.bboxY, m.bboxW, m.bboxH]).toEqual(rleToBboxSam(rle));
    }
    const counter = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'semi_automatic' } } });
    expect(counter.masksPrefill).toBe(masks.length);
    // the embedding the job computed is stored once per image
    expect(await env.deps.db.embedding.count({ where: { imageId: { in: good }, checkpointId } })).toBe(2);

    // stricter thresholds keep a subset of the same masks (the stored embedding makes runs repeatable)
    const strict = await finished((await start({ ...thresholds, predIouThresh: 0.65, stabilityScoreThresh: 0.6, imageIds: good })).id);
    expect(strict).toMatchObject({ status: 'succeeded', done: 2, failed: 0 });
    const strictMasks = await env.deps.db.mask.findMany({ where: { runId: strict.id } });
    expect(strictMasks.length).toBeLessThan(masks.length);
    const before = new Set(masks.map((m) => `${m.imageId}:${m.rleCounts}`));
    for (const m of strictMasks) {
      expect(before.has(`${m.imageId}:${m.rleCounts}`)).toBe(true);
      expect(m.predictedIou!).toBeGreaterThanOrEqual(0.65);
      expect(m.stabilityScore!).toBeGreaterThanOrEqual(0.6);
    }
    // at most maxMasksPerImage, the highest predicted IoUs first
    const capped = await finished((await start({ ...thresholds, maxMasksPerImage: 1, imageIds: good })).id);
    const cappedMasks = await env.deps.db.mask.findMany({ where: { runId: capped.id } });
    for (const imageId of good) {
      const all = masks.filter((m) => m.imageId === imageId);
      const kept = cappedMasks.filter((m) => m.imageId === imageId);
      expect(kept).toHaveLength(Math.min(1, all.length));
      if (kept[0]) expect(kept[0].predictedIou).toBe(Math.max(...all.map((m) => m.predictedIou!)));
    }
    expect(await env.deps.db.task.count({ where: { projectId, stage: 'semi_automatic' } })).toBe(2);
  }, 120_000); // the machine is shared: allow for a loaded CPU (about 10 s when idle)
});
