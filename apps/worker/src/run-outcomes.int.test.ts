// Runs over the real API and a worker: images chosen by a filter resolved on the server (count
// shown before starting, clear refusals), autogen kept off images annotators still work on unless
// confirmed, and finished runs that say what they produced — "0 masks kept" with the dominant
// reason, and "succeeded with errors" when some files were refused.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import {
  addSyntheticImages,
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  REPO_ROOT,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  trpcQuery,
  uploadBytes,
  waitFor,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

const W = 160;
const H = 120;
const SLOW_MACHINE_TIMEOUT_MS = 150_000;

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let worker: RunningWorker;
const cookies: Record<string, string> = {};
let manager: MadeUser;
let projectId: string;
/** stage-1 images (in the annotators' queue), then stage-3 images (uploaded after the project moved to stage 3) */
let stage1: number[];
let stage3: number[];

type Run = { id: string; total: number; status: string; done: number; failed: number; params: Record<string, unknown>; withErrors: boolean; summary: string | null; error: string | null };
const start = (input: Record<string, unknown>) => trpcMutation<Run>(api.url, 'runs.start', { projectId, ...input }, cookies['ops']);
const count = (selection: Record<string, unknown>) => trpcQuery<{ images: number; earlierStage: number; overLimit: boolean }>(api.url, 'runs.countSelection', { projectId, selection }, cookies['ops']);
const finished = (runId: string) =>
  waitFor(async () => {
    const r = (await trpcQuery<Run>(api.url, 'runs.get', { runId }, cookies['ops'])).data!;
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
  }, `run ${runId} to finish`, SLOW_MACHINE_TIMEOUT_MS, 250);

beforeAll(async () => {
  env = await createTestEnv({ WORKER_QUEUES: 'ingest,infer', WORKER_CONCURRENCY: '1' });
  api = await startTestApi(env.deps);
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models/default'), activate: true });
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  stage1 = await addSyntheticImages(env.deps, manager, { projectId, seeds: [11, 12, 13], width: W, height: H });
  await env.deps.db.project.update({ where: { id: projectId }, data: { stage: 'fully_automatic' } });
  stage3 = await addSyntheticImages(env.deps, manager, { projectId, seeds: [14, 15], width: W, height: H });
  // one stage-1 image is submitted with a mask, one is held out (val)
  await env.deps.db.task.updateMany({ where: { imageId: stage1[0]! }, data: { status: 'submitted' } });
  const data = new Uint8Array(W * H).fill(1, 0, W * 10);
  await env.deps.db.mask.create({
    data: { projectId, imageId: stage1[0]!, stage: 'assisted_manual', provenance: 'manual', rleCounts: compressRle(encodeMask({ width: W, height: H, data })).counts, rleHeight: H, rleWidth: W, bboxX: 0, bboxY: 0, bboxW: W - 1, bboxH: 9, area: W * 10 },
  });
  await env.deps.db.image.update({ where: { id: stage3[1]! }, data: { split: 'val' } });
  cookies['ops'] = await loginCookie(api.url, ops.email, ops.password);
  cookies['manager'] = await loginCookie(api.url, manager.email, manager.password);
  worker = await startWorker(env.config, createLogger({ service: 'test-worker' }, 'error'));
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.close();
});

describe('selecting a run\'s images by filter', () => {
  it('counts what a filter selects before anything starts', async () => {
    expect((await count({})).data).toEqual({ images: 5, earlierStage: 3, overLimit: false });
    expect((await count({ stages: ['fully_automatic'] })).data).toMatchObject({ images: 2, earlierStage: 0 });
    expect((await count({ stages: ['assisted_manual'], taskStatuses: ['open'] })).data).toMatchObject({ images: 2, earlierStage: 2 });
    expect((await count({ noMasks: true })).data).toMatchObject({ images: 4 });
    expect((await count({ split: 'val' })).data).toMatchObject({ images: 1, earlierStage: 0 });
    expect((await count({ imageIds: [stage1[1]!, stage3[0]!], stages: ['fully_automatic'] })).data).toMatchObject({ images: 1 });
  });

  it('resolves the filter on the server into the run\'s images, and refuses one that matches nothing', async () => {
    const run = await start({ kind: 'export', selection: { noMasks: true, stages: ['fully_automatic'] } });
    expect(run.status).toBe(200);
    expect(run.data!.params['imageIds']).toEqual(stage3);
    expect(run.data!.params['selectionFilter']).toEqual({ noMasks: true, stages: ['fully_automatic'] });

    const before = await env.deps.db.run.count();
    const none = await start({ kind: 'export', selection: { split: 'val', stages: ['assisted_manual'] } });
    expect(none.status).toBe(400);
    expect(none.error?.message).toBe('no ready image of the project matches the selection (stage assisted-manual, val split); change the filter');
    expect(await env.deps.db.run.count()).toBe(before);
  });

  it('takes a saved selection of up to 100,000 ids (one array parameter, not one per id), narrowed by exact ids', async () => {
    // the grid's picks (at most MAX_PICKED_IMAGES) are counted over GET; a run takes up to 100,000 over POST
    const picked = [...stage3, ...Array.from({ length: 498 }, (_, i) => 1_000_000 + i)];
    expect((await count({ imageIds: picked })).data).toMatchObject({ images: 2, earlierStage: 0 });
    const many = [...stage3, ...Array.from({ length: 70_000 }, (_, i) => 1_000_000 + i)];
    const all = await start({ kind: 'export', selection: { imageIds: many } });
    expect(all.status).toBe(200);
    expect(all.data!.params['imageIds']).toEqual(stage3);
    const run = await start({ kind: 'export', selection: { imageIds: many }, imageIds: [stage3[1]!, stage1[0]!] });
    expect(run.status).toBe(200);
    expect(run.data!.params['imageIds']).toEqual([stage3[1]]);
    const disjoint = await start({ kind: 'export', selection: { imageIds: [stage3[0]!] }, imageIds: [stage1[0]!] });
    expect(disjoint.status).toBe(400);
    expect(disjoint.error?.message).toBe('none of the image ids given is among the picked images; clear one of the two');
  });

  it('refuses a filter that is not one (unknown stage) with a 400', async () => {
    expect((await start({ kind: 'export', selection: { stages: ['stage-9'] } })).status).toBe(400);
  });
});

describe('autogen on images annotators still work on', () => {
  it('is refused without an explicit confirmation, saying how many and what to do; nothing is started', async () => {
    const before = await env.deps.db.run.count();
    const refused = await start({ kind: 'autogen', overrides: { pointsPerSide: 4 } });
    expect(refused.status).toBe(409);
    expect(refused.error?.message).toMatch(/^3 of the 5 selected images are stage-1 or stage-2 images \(e\.g\. \d+, \d+, \d+\), still annotators' work; autogen is meant for stage-3 images\. Select stage-3 images, or confirm the run on these \(allowEarlierStages: true\)/);
    const picked = await start({ kind: 'autogen', imageIds: [stage1[1]!], overrides: { pointsPerSide: 4 } });
    expect(picked.status).toBe(409);
    expect(await env.deps.db.run.count()).toBe(before);
  });

  it('runs on stage-3 images without a question, and on earlier ones once confirmed', async () => {
    const ok = await start({ kind: 'autogen', selection: { stages: ['fully_automatic'] }, overrides: { pointsPerSide: 4, predIouThresh: 0.25, stabilityScoreThresh: 0.3 } });
    expect(ok.status).toBe(200);
    expect(ok.data!.total).toBe(2);
    const confirmed = await start({ kind: 'autogen', imageIds: [stage1[1]!], allowEarlierStages: true, overrides: { pointsPerSide: 4, predIouThresh: 0.25, stabilityScoreThresh: 0.3 } });
    expect(confirmed.status).toBe(200);
    const [a, b] = [await finished(ok.data!.id), await finished(confirmed.data!.id)];
    expect(a.status).toBe('succeeded');
    expect(b.status).toBe('succeeded');
    // a run that kept masks says how many, on how many images, and what the filters dropped
    const kept = await env.deps.db.mask.count({ where: { runId: a.id } });
    expect(kept).toBeGreaterThan(0);
    expect(a.summary).toMatch(new RegExp(`^${kept} automatic masks? kept on [12] images? \\(of \\d+ candidates: `));
    expect(a.withErrors).toBe(false);
  }, SLOW_MACHINE_TIMEOUT_MS * 2);
});

describe('what a finished run says', () => {
  it('an autogen run that kept nothing names the dominant reason and what to do', async () => {
    const run = await start({ kind: 'autogen', selection: { stages: ['fully_automatic'] }, overrides: { pointsPerSide: 4, predIouThresh: 1 } });
    expect(run.status).toBe(200);
    const done = await finished(run.data!.id);
    expect(done.status).toBe('succeeded');
    expect(await env.deps.db.mask.count({ where: { runId: done.id } })).toBe(0);
    expect(done.summary).toBe('0 masks kept: predicted IoU below 1 on every candidate — lower the thresholds (predIouThresh, stabilityScoreThresh) or use a better checkpoint.');
    const row = await env.deps.db.run.findUniqueOrThrow({ where: { id: done.id } });
    expect(row.result).toMatchObject({ counts: { masks: 0, candidates: 2 * 16 * 3, 'dropped.predIou': 2 * 16 * 3 }, thresholds: { predIouThresh: 1 } });
  }, SLOW_MACHINE_TIMEOUT_MS);

  it('an upload batch with refused files succeeds "with errors", and says how many were refused', async () => {
    const batch = (await trpcMutation<Run>(api.url, 'runs.beginUpload', { projectId, files: 4 }, cookies['manager'])).data!;
    const q = `&runId=${batch.id}`;
    const good1 = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed: 91, width: W, height: H, format: 'png' }), cookies['manager']!, 'a.png', q);
    const good2 = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed: 92, width: W, height: H, format: 'png' }), cookies['manager']!, 'b.png', q);
    const text = await uploadBytes(api.url, projectId, new TextEncoder().encode('This is not an image at all'), cookies['manager']!, 'notes.jpg', q);
    const truncated = await uploadBytes(api.url, projectId, (await syntheticImageBytes({ seed: 93, width: W, height: H, format: 'png' })).subarray(0, 200), cookies['manager']!, 'cut.png', q);
    expect([good1.status, good2.status]).toEqual([201, 201]);
    expect([text.status, truncated.status]).toEqual([415, 422]);
    const done = await finished(batch.id);
    expect(done).toMatchObject({ status: 'succeeded', done: 2, failed: 2, withErrors: true });
    expect(done.summary).toBe('2 of 4 images ingested; 2 files refused.');
    const listed = (await trpcQuery<Run[]>(api.url, 'runs.list', { projectId }, cookies['manager'])).data!.find((r) => r.id === batch.id)!;
    expect(listed.withErrors).toBe(true);
  }, SLOW_MACHINE_TIMEOUT_MS);
});
