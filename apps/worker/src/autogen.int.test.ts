// Stage 3 end to end: ops starts autogen runs over HTTP, the real worker runs AMG over the built-in
// model through onnxruntime-node; auto masks carry scores, grid points and crop boxes, repeat no
// manual mask, bad overrides are refused at start, and a cancel stops the run.
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { registerCheckpoint, saveMask, SYSTEM_ACTOR } from '@dataengine/engine';
import { rleArea, rleIou, rleToBboxSam } from '@dataengine/segment';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, REPO_ROOT, startTestApi, trpcMutation, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

const W = 256;
const H = 192;
// a weak tiny model: the paper's 0.88 / 0.95 filters keep nothing, so these runs lower them
const AMG = { preset: 'sa1b', overrides: { pointsPerSide: 8, cropNLayers: 1, predIouThresh: 0.25, stabilityScoreThresh: 0.3 } };
const FAST = { preset: 'sam-default', overrides: { pointsPerSide: 8, predIouThresh: 0.25, stabilityScoreThresh: 0.3 } };
// the machine is shared: allow for a loaded CPU (each test takes well under half of this when idle)
const SLOW_MACHINE_TIMEOUT_MS = 120_000;

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let worker: RunningWorker;
let cookie: string;
let annotator: MadeUser;
let projectId: string;
let imageIds: number[];

// the test images sit in a stage-1 project: the runs confirm that (allowEarlierStages)
const startAutogen = (input: Record<string, unknown>) => trpcMutation<{ id: string; total: number }>(api.url, 'runs.start', { kind: 'autogen', projectId, allowEarlierStages: true, ...input }, cookie);
const run = (runId: string) => env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
const finished = (runId: string) =>
  waitFor(async () => {
    const r = await run(runId);
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
  }, `autogen run ${runId} to finish`, 90_000, 200);

async function inferJobsLeft(): Promise<number> {
  const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('infer', { connection, prefix: env.config.QUEUE_PREFIX });
  try {
    return Object.values(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

beforeAll(async () => {
  env = await createTestEnv({ WORKER_QUEUES: 'infer', WORKER_CONCURRENCY: '1' });
  api = await startTestApi(env.deps);
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models/default'), activate: true });
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  imageIds = await addSyntheticImages(env.deps, manager, { projectId, seeds: [3, 4, 5, 6, 7, 8], width: W, height: H });
  cookie = await loginCookie(api.url, ops.email, ops.password);
  worker = await startWorker(env.config, createLogger({ service: 'test-worker' }, 'error'));
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.close();
});

describe('autogen runs', () => {
  it('refuse bad AMG overrides at start with a message that names them', async () => {
    const typo = await startAutogen({ preset: 'sam-default', overrides: { points_per_side: 8 } });
    expect(typo.status).toBe(400);
    expect(typo.error!.message).toContain('did you mean "pointsPerSide"');
    const invalid = await startAutogen({ preset: 'sa1b', overrides: { pointsPerSide: 0, boxNmsThresh: 'high' } });
    expect(invalid.status).toBe(400);
    expect(invalid.error!.message).toContain('boxNmsThresh must be a number');
    const impossible = await startAutogen({ preset: 'sa1b', overrides: { pointsPerSide: 2 } });
    expect(impossible.error!.message).toMatch(/pointsPerSide 2 .* leaves no points on the last crop layer/);
    expect(await env.deps.db.run.count({ where: { kind: 'autogen' } })).toBe(0);
  });

  it('store auto masks with scores, points and crop boxes, and skip masks that repeat a manual mask', async () => {
    const imageId = imageIds[0]!;
    const first = await finished((await startAutogen({ ...AMG, imageIds: [imageId] })).data!.id);
    expect(first).toMatchObject({ status: 'succeeded', done: 1, failed: 0 });
    const masks = await env.deps.db.mask.findMany({ where: { runId: first.id }, orderBy: { id: 'asc' } });
    expect(masks.length).toBeGreaterThan(2);
    const cropBoxes = new Set<string>();
    for (const m of masks) {
      expect(m).toMatchObject({ imageId, provenance: 'auto', stage: 'fully_automatic', authorId: null, taskId: null, checkpointId: first.checkpointId });
      expect(m.predictedIou!).toBeGreaterThan(0.25);
      expect(m.stabilityScore!).toBeGreaterThanOrEqual(0.3);
      const rle = { size: [m.rleHeight, m.rleWidth] as [number, number], counts: m.rleCounts };
      expect(m.area).toBe(rleArea(rle));
      expect([m.bboxX, m.bboxY, m.bboxW, m.bboxH]).toEqual(rleToBboxSam(rle));
      const [[px, py]] = m.pointCoords as [[number, number]];
      const [cx, cy, cw, ch] = m.cropBox as [number, number, number, number];
      // the grid point lies in its crop, and the crop in the image
      expect(px).toBeGreaterThanOrEqual(cx);
      expect(px).toBeLessThanOrEqual(cx + cw);
      expect(py).toBeGreaterThanOrEqual(cy);
      expect(py).toBeLessThanOrEqual(cy + ch);
      expect(cx + cw).toBeLessThanOrEqual(W);
      expect(cy + ch).toBeLessThanOrEqual(H);
      cropBoxes.add(JSON.stringify(m.cropBox));
    }
    expect(cropBoxes.has(JSON.stringify([0, 0, W, H]))).toBe(true);
    expect(cropBoxes.size).toBeGreaterThan(1); // masks from the 2×2 crop layer too
    const counter = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'fully_automatic' } } });
    expect(counter.masksAuto).toBe(masks.length);
    // fully automatic images are no one's task
    expect(await env.deps.db.task.count({ where: { imageId, stage: 'fully_automatic' } })).toBe(0);

    // an annotator saved one of these objects by hand; a second run must not add it again
    const copied = masks[1]!;
    await saveMask(env.deps, annotator, { imageId, segmentation: { size: [H, W], counts: copied.rleCounts }, activeMs: 1000, clicks: 2 });
    const manual = { size: [H, W] as [number, number], counts: copied.rleCounts };
    const second = await finished((await startAutogen({ ...AMG, imageIds: [imageId] })).data!.id);
    expect(second).toMatchObject({ status: 'succeeded', done: 1 });
    const again = await env.deps.db.mask.findMany({ where: { runId: second.id }, orderBy: { id: 'asc' } });
    const expected = masks.filter((m) => rleIou(manual, { size: [H, W], counts: m.rleCounts }) <= 0.7).map((m) => m.rleCounts);
    expect(expected.length).toBeLessThan(masks.length);
    expect(again.map((m) => m.rleCounts)).toEqual(expected);
    expect(again.some((m) => m.rleCounts === copied.rleCounts)).toBe(false);
    const counterAfter = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'fully_automatic' } } });
    expect(counterAfter.masksAuto).toBe(masks.length + again.length);
  }, SLOW_MACHINE_TIMEOUT_MS);

  it('stop when cancelled: the remaining images are left untouched', async () => {
    const rest = imageIds.slice(1);
    const started = (await startAutogen({ ...FAST, imageIds: rest })).data!;
    await waitFor(async () => (await run(started.id)).done >= 1, 'the first image of the run', 30_000, 100);
    const cancelled = await trpcMutation<{ status: string }>(api.url, 'runs.cancel', { runId: started.id, reason: 'test' }, cookie);
    expect(cancelled.data?.status).toBe('cancelled');
    await waitFor(async () => (await inferJobsLeft()) === 0, 'the queued autogen jobs to drain', 30_000, 200);
    const final = await run(started.id);
    expect(final.status).toBe('cancelled');
    expect(final.error).toContain('cancelled by');
    const items = await env.deps.db.runItem.findMany({ where: { runId: started.id } });
    const done = items.filter((i) => i.status === 'done').map((i) => i.imageId);
    const untouched = items.filter((i) => i.status === 'pending').map((i) => i.imageId);
    expect(done.length).toBe(final.done);
    expect(untouched.length).toBeGreaterThan(0);
    expect(done.length + untouched.length).toBe(rest.length);
    // masks only on the images finished before the cancel
    const masked = await env.deps.db.mask.findMany({ where: { runId: started.id }, select: { imageId: true }, distinct: ['imageId'] });
    for (const m of masked) expect(done).toContain(m.imageId);
    expect(await env.deps.db.mask.count({ where: { imageId: { in: untouched } } })).toBe(0);
  }, SLOW_MACHINE_TIMEOUT_MS);
});
