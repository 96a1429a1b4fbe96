// Review over the real API and engine: QA sampling (rate 0 and 1, full review of stage 2/3 unless
// turned off), accept and reject with the reason back at the head of the annotator's queue,
// autogen output held in review instead of the stage-1 queue, accept rates on a constructed
// dataset, time per image, the idle-gap cap setting, the per-image and per-mask CSVs, the viewer.
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageTileWorkDto, ImageViewDto, ReviewDto, ReviewSettingsDto, TaskDto } from '@dataengine/contracts';
import {
  autogenImage,
  deleteMask,
  ensureTask,
  queueReviewForMachineMasks,
  recordMaskCounters,
  registerCheckpoint,
  releaseTask,
  reopenLastSubmitted,
  requestNextTask,
  saveMask,
  setProjectStage,
  submitTask,
  SYSTEM_ACTOR,
  updateMask,
  type ProjectStats,
} from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { writeContractBundle } from '@dataengine/segment/testing';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startTestApi, trpcMutation, trpcQuery, type MadeUser, type TestEnv } from '@dataengine/testing';

const SIZE = { width: 160, height: 120 };
type ReviewQueueSchemaDto = { items: ReviewDto[]; nextCursor: string | null; pending: number };

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let manager: MadeUser;
let annA: MadeUser;
let annB: MadeUser;
let ops: MadeUser;
let outsider: MadeUser;
let bundleDir: string;
const cookies: Record<string, string> = {};

function rect(x0: number, y0: number, w: number, h: number) {
  const data = new Uint8Array(SIZE.width * SIZE.height);
  for (let y = y0; y < Math.min(SIZE.height, y0 + h); y++) for (let x = x0; x < Math.min(SIZE.width, x0 + w); x++) data[y * SIZE.width + x] = 1;
  return compressRle(encodeMask({ ...SIZE, data }));
}

const q = <T>(who: string, procedure: string, input: unknown) => trpcQuery<T>(api.url, procedure, input, cookies[who]);
const m = <T>(who: string, procedure: string, input: unknown) => trpcMutation<T>(api.url, procedure, input, cookies[who]);

async function newProject(name: string, seeds: number[]) {
  const project = await makeProject(env.deps.db, { createdBy: manager, name, members: [{ user: annA, role: 'annotator' }, { user: annB, role: 'annotator' }] });
  const imageIds = await addSyntheticImages(env.deps, manager, { projectId: project.id, seeds, ...SIZE });
  return { projectId: project.id, imageIds };
}

/** The caller leases their next image, saves one mask on it and submits it. */
async function annotateNext(who: MadeUser, projectId: string, activeMs = 40_000): Promise<TaskDto> {
  const task = await requestNextTask(env.deps, who, { projectId });
  if (!task) throw new Error(`${who.name} got no image`);
  await saveMask(env.deps, who, { imageId: task.image.id, segmentation: rect(10, 10, 20, 20), activeMs: 10_000, clicks: 2 });
  await submitTask(env.deps, who, { taskId: task.id, activeMs });
  return task;
}

const reviewsOf = (imageId: number) => env.deps.db.review.findMany({ where: { imageId }, orderBy: { id: 'asc' } });

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  manager = await makeUser(env.deps.db, { role: 'manager', name: 'Maya Manager' });
  annA = await makeUser(env.deps.db, { role: 'annotator', name: 'Ana Ruiz' });
  annB = await makeUser(env.deps.db, { role: 'annotator', name: 'Ben Okafor' });
  ops = await makeUser(env.deps.db, { role: 'ops' });
  outsider = await makeUser(env.deps.db, { role: 'annotator' });
  bundleDir = await mkdtemp(path.join(tmpdir(), 'review-bundle-'));
  for (const [key, user] of Object.entries({ manager, annA, annB, ops, outsider })) cookies[key] = await loginCookie(api.url, user.email, user.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

describe('QA sampling of submitted images', () => {
  let projectId: string;
  beforeAll(async () => {
    ({ projectId } = await newProject('Sampling', [1, 2, 3, 4]));
  });

  it('reviews no stage-1 image at rate 0 and every one at rate 1; annotators read the settings but cannot change them', async () => {
    const defaults = await q<ReviewSettingsDto>('annA', 'review.settings', { projectId });
    expect(defaults.data).toMatchObject({ reviewSampleRate: 0.1, reviewLaterStages: true, idleCapSeconds: null, idleCapDefaultSeconds: 30, effectiveIdleCapSeconds: 30 });
    expect((await m('annA', 'review.setSettings', { projectId, reviewSampleRate: 1 })).status).toBe(403);

    expect((await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 0 })).status).toBe(200);
    const first = await annotateNext(annA, projectId);
    expect(await reviewsOf(first.image.id)).toEqual([]);

    expect((await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 1 })).status).toBe(200);
    const second = await annotateNext(annA, projectId);
    const [review] = await reviewsOf(second.image.id);
    expect(review).toMatchObject({ status: 'pending', source: 'sampled', stage: 'assisted_manual', submittedById: annA.id, taskId: BigInt(second.id) });

    const bad = await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 1.5 });
    expect(bad.status).toBe(400);
  });
});

describe('reject → the image goes back to its annotator with the reason; accept', () => {
  let projectId: string;
  let imageIds: number[];
  let returned: TaskDto;
  const reason = 'the bicycle behind the bench is missing';

  beforeAll(async () => {
    ({ projectId, imageIds } = await newProject('Rejections', [5, 6, 7, 8, 9]));
    await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 1 });
    returned = await annotateNext(annA, projectId, 55_000);
  });

  it('lists the submission for the project\'s managers only', async () => {
    const queue = await q<ReviewQueueSchemaDto>('manager', 'review.queue', { projectId });
    expect(queue.status).toBe(200);
    expect(queue.data!.pending).toBe(1);
    expect(queue.data!.items[0]).toMatchObject({ imageId: returned.image.id, fileName: returned.image.fileName, status: 'pending', submittedBy: { id: annA.id, name: 'Ana Ruiz' } });
    for (const who of ['annA', 'ops', 'outsider']) expect((await q(who, 'review.queue', { projectId })).status, who).toBe(403);
    const id = queue.data!.items[0]!.id;
    expect((await m('ops', 'review.decide', { reviewId: id, decision: 'accept' })).status).toBe(403);
    expect((await m('annA', 'review.decide', { reviewId: id, decision: 'reject', reason })).status).toBe(403);
    const noReason = await m('manager', 'review.decide', { reviewId: id, decision: 'reject', reason: ' ' });
    expect(noReason.status).toBe(400);
  });

  it('records the rejection and returns the task to its annotator, reserved and no longer done', async () => {
    const [pending] = await reviewsOf(returned.image.id);
    const doneBefore = (await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'assisted_manual' } } })).imagesDone;
    const res = await m<ReviewDto>('manager', 'review.decide', { reviewId: pending!.id.toString(), decision: 'reject', reason: `  ${reason} ` });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ status: 'rejected', reason, reviewer: { id: manager.id, name: 'Maya Manager' } });
    expect(Date.now() - Date.parse(res.data!.decidedAt!)).toBeLessThan(60_000);
    const task = await env.deps.db.task.findUniqueOrThrow({ where: { id: BigInt(returned.id) } });
    expect(task).toMatchObject({ status: 'open', reservedForId: annA.id, submittedAt: null });
    const doneAfter = (await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'assisted_manual' } } })).imagesDone;
    expect(doneAfter).toBe(doneBefore - 1);
    const again = await m('manager', 'review.decide', { reviewId: pending!.id.toString(), decision: 'accept' });
    expect(again.status).toBe(409);
    expect(again.error!.message).toContain('already rejected by Maya Manager');
  });

  it('never gives the returned image to another annotator', async () => {
    const peek = await q<{ id: number } | null>('annB', 'tasks.peekNext', { projectId });
    expect(peek.data!.id).not.toBe(returned.image.id);
    const other = await requestNextTask(env.deps, annB, { projectId });
    expect(other!.image.id).not.toBe(returned.image.id);
    await releaseTask(env.deps, annB, { taskId: other!.id });
    // with every other image out of the way, annotator B gets nothing rather than A's returned image
    const others = { projectId, id: { not: BigInt(returned.id) } };
    await env.deps.db.task.updateMany({ where: others, data: { status: 'skipped' } });
    expect(await requestNextTask(env.deps, annB, { projectId })).toBeNull();
    expect((await q('annB', 'tasks.peekNext', { projectId })).data).toBeNull();
    // the other images come back, more urgent than the returned one
    await env.deps.db.task.updateMany({ where: others, data: { status: 'open', priority: 5 } });
  });

  it('gives it back to its annotator first — before images of higher priority — with the reviewer\'s reason', async () => {
    const res = await m<TaskDto>('annA', 'tasks.next', { projectId });
    expect(res.status).toBe(200);
    expect(res.data!.image.id).toBe(returned.image.id);
    expect(res.data!.returned).toMatchObject({ reason, reviewer: 'Maya Manager' });
    // asking again (a reload) renews the same image with the same reason
    const again = await m<TaskDto>('annA', 'tasks.next', { projectId });
    expect(again.data).toMatchObject({ id: res.data!.id, returned: { reason } });
  });

  it('reviews the resubmission even at rate 0, and an acceptance accepts its masks except those rejected one by one', async () => {
    await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 0 });
    const extra = await saveMask(env.deps, annA, { imageId: returned.image.id, segmentation: rect(60, 40, 30, 30), activeMs: 8_000, clicks: 3 });
    await submitTask(env.deps, annA, { taskId: returned.id, activeMs: 20_000 });
    expect((await env.deps.db.task.findUniqueOrThrow({ where: { id: BigInt(returned.id) } })).reservedForId).toBeNull();
    const reviews = await reviewsOf(returned.image.id);
    expect(reviews.map((r) => [r.status, r.source])).toEqual([['rejected', 'sampled'], ['pending', 'resubmitted']]);

    const live = await env.deps.db.mask.findMany({ where: { imageId: returned.image.id, deletedAt: null } });
    expect(live).toHaveLength(2);
    const res = await m<ReviewDto>('manager', 'review.decide', { reviewId: reviews[1]!.id.toString(), decision: 'accept', rejectMaskIds: [extra.id] });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ status: 'accepted', masksAccepted: 1, masksRejected: 1, reason: null });
    const after = await env.deps.db.mask.findMany({ where: { imageId: returned.image.id }, orderBy: { id: 'asc' } });
    expect(after.map((x) => [x.reviewVerdict, x.deletedAt === null])).toEqual([['accepted', true], ['rejected', false]]);
    // the returned notice is gone once the image is done, and "previous image" no longer re-opens it
    const task = await env.deps.db.task.findUniqueOrThrow({ where: { id: BigInt(returned.id) } });
    expect(task.status).toBe('submitted');
    expect(await reopenLastSubmitted(env.deps, annA, { projectId })).toBeNull();
  });

  it('refuses to judge an image the annotator re-opened (it stays in the queue)', async () => {
    await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 1 });
    const task = await annotateNext(annB, projectId);
    const [review] = await reviewsOf(task.image.id);
    await env.deps.db.task.update({ where: { id: BigInt(task.id) }, data: { status: 'leased', assigneeId: annB.id, leaseExpiresAt: new Date(Date.now() + 600_000) } });
    const res = await m('manager', 'review.decide', { reviewId: review!.id.toString(), decision: 'accept' });
    expect(res.status).toBe(409);
    expect(res.error!.message).toContain('re-opened');
    await submitTask(env.deps, annB, { taskId: task.id, activeMs: 1_000 });
    expect((await reviewsOf(task.image.id)).map((r) => r.status)).toEqual(['pending']);
  });
});

describe('stage 2 and 3 are reviewed in full unless the project turns that off', () => {
  it('reviews every stage-2 submission at rate 0, and samples them once full review is off', async () => {
    const { projectId, imageIds } = await newProject('Stage two', [11, 12]);
    await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 0 });
    await setProjectStage(env.deps, manager, { projectId, stage: 'semi_automatic' });
    await env.deps.db.$transaction(async (tx) => {
      for (const imageId of imageIds) await ensureTask(tx, { projectId, imageId, stage: 'semi_automatic' });
    });
    const first = await annotateNext(annA, projectId);
    expect((await reviewsOf(first.image.id)).map((r) => [r.source, r.stage])).toEqual([['stage', 'semi_automatic']]);
    await m('manager', 'review.setSettings', { projectId, reviewLaterStages: false });
    const second = await annotateNext(annA, projectId);
    expect(await reviewsOf(second.image.id)).toEqual([]);
  });
});

describe('autogen output goes to review, not to the stage-1 queue', () => {
  let projectId: string;
  let imageIds: number[];
  let checkpointId: string;

  async function autogenOn(imageId: number): Promise<string> {
    const run = await env.deps.db.run.create({
      data: {
        projectId,
        kind: 'autogen',
        checkpointId,
        total: 1,
        params: { projectId, preset: 'sam-default', overrides: { pointsPerSide: 2, predIouThresh: 0.5, stabilityScoreThresh: 0.5 } },
        items: { create: [{ imageId }] },
      },
    });
    const outcome = await autogenImage(env.deps, { runId: run.id, imageId });
    expect(outcome).toMatchObject({ status: 'done' });
    return run.id;
  }

  beforeAll(async () => {
    ({ projectId, imageIds } = await newProject('Autogen', [21, 22, 23]));
    checkpointId = (await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(bundleDir), name: 'contract fixture', activate: true })).id;
    await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 0 });
  });

  it('stores the automatic masks and puts the image in review; annotators of the stage-1 queue never get it', async () => {
    await autogenOn(imageIds[0]!);
    const masks = await env.deps.db.mask.count({ where: { imageId: imageIds[0]!, provenance: 'auto', deletedAt: null } });
    expect(masks).toBeGreaterThan(0);
    const [review] = await reviewsOf(imageIds[0]!);
    expect(review).toMatchObject({ status: 'pending', source: 'autogen', taskId: null, submittedById: null });
    const queue = await q<ReviewQueueSchemaDto>('manager', 'review.queue', { projectId });
    expect(queue.data!.items.map((r) => r.imageId)).toEqual([imageIds[0]]);

    // the stage-1 queue: the other two images, then nothing — the image under review is held out
    const leased: number[] = [];
    for (let i = 0; i < 3; i++) {
      const peek = await q<{ id: number } | null>('annB', 'tasks.peekNext', { projectId });
      const task = await annotateNext(annB, projectId).catch(() => null);
      if (!task) break;
      expect(peek.data?.id).not.toBe(imageIds[0]);
      leased.push(task.image.id);
    }
    expect(leased.sort()).toEqual([imageIds[1], imageIds[2]].sort());
    expect(await requestNextTask(env.deps, annB, { projectId })).toBeNull();
  });

  it('rejecting the machine output deletes its masks and frees the image for the stage-1 queue', async () => {
    const [review] = await reviewsOf(imageIds[0]!);
    const before = (await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'fully_automatic' } } })).masksAuto;
    const n = await env.deps.db.mask.count({ where: { imageId: imageIds[0]!, provenance: 'auto', deletedAt: null } });
    const res = await m<ReviewDto>('manager', 'review.decide', { reviewId: review!.id.toString(), decision: 'reject', reason: 'overlapping blobs, not objects' });
    expect(res.data).toMatchObject({ status: 'rejected', masksRejected: n });
    expect(await env.deps.db.mask.count({ where: { imageId: imageIds[0]!, deletedAt: null } })).toBe(0);
    expect(await env.deps.db.mask.count({ where: { imageId: imageIds[0]!, reviewVerdict: 'rejected' } })).toBe(n);
    const after = (await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'fully_automatic' } } })).masksAuto;
    expect(after).toBe(before - n);
    const task = await requestNextTask(env.deps, annA, { projectId });
    expect(task?.image.id).toBe(imageIds[0]);
    expect(task?.returned ?? null).toBeNull();
  });

  it('accepting machine output accepts the run\'s masks and leaves the image\'s other masks alone', async () => {
    const runId = await autogenOn(imageIds[1]!);
    const [review] = (await reviewsOf(imageIds[1]!)).filter((r) => r.runId === runId);
    const res = await m<ReviewDto>('manager', 'review.decide', { reviewId: review!.id.toString(), decision: 'accept' });
    const auto = await env.deps.db.mask.findMany({ where: { imageId: imageIds[1]!, runId } });
    expect(res.data).toMatchObject({ status: 'accepted', masksAccepted: auto.length, masksRejected: 0 });
    expect(auto.every((x) => x.reviewVerdict === 'accepted')).toBe(true);
    expect(await env.deps.db.mask.count({ where: { imageId: imageIds[1]!, provenance: 'manual', reviewVerdict: null } })).toBe(1);
  });
});

describe('accept rates, time per image, the idle-gap cap and the detail CSVs', () => {
  let projectId: string;
  let imageIds: number[];
  const ck: Record<'one' | 'two', string> = { one: '', two: '' };
  let stats: ProjectStats;

  /** Model masks as a prefill or autogen run stores them (no author, no time), counted alike. */
  async function machineMasks(imageId: number, stage: 'semi_automatic' | 'fully_automatic', provenance: 'prefill' | 'auto', checkpointId: string, n: number, runId: string | null = null) {
    const ids: bigint[] = [];
    await env.deps.db.$transaction(async (tx) => {
      for (let k = 0; k < n; k++) {
        const rle = rect(5 + k * 12, 70, 10, 10);
        const row = await tx.mask.create({ data: { projectId, imageId, stage, provenance, rleCounts: rle.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: 5 + k * 12, bboxY: 70, bboxW: 10, bboxH: 10, area: 100, checkpointId, runId, predictedIou: 0.9, stabilityScore: 0.95 } });
        ids.push(row.id);
      }
      await recordMaskCounters(tx, { projectId, stage, provenance, authorId: null, checkpointId, day: new Date() }, { masks: n, activeMs: 0, clicks: 0 });
    });
    return ids;
  }

  beforeAll(async () => {
    ({ projectId, imageIds } = await newProject('Accept rates', [31, 32, 33, 34, 35, 36]));
    for (const [i, key] of (['one', 'two'] as const).entries()) {
      ck[key] = (await env.deps.db.checkpoint.create({ data: { name: `r${i + 1}`, bundleKey: `checkpoints/r${i}`, bundleHash: `rates-${i}-${projectId}`, manifest: {}, status: 'retired', createdAt: new Date(Date.UTC(2024, 0, 1 + i)) } })).id;
    }
    await m('manager', 'review.setSettings', { projectId, reviewSampleRate: 0, reviewLaterStages: false });
    // stage 1: image 6 is submitted first; a prefill mask made afterwards is still pending
    await env.deps.db.task.updateMany({ where: { imageId: imageIds[5]! }, data: { priority: 10 } });
    const lastOfStage1 = (await annotateNext(annA, projectId, 30_000)).image.id;
    expect(lastOfStage1).toBe(imageIds[5]);

    await setProjectStage(env.deps, manager, { projectId, stage: 'semi_automatic' });
    await env.deps.db.$transaction(async (tx) => {
      for (const imageId of imageIds.slice(0, 2)) await ensureTask(tx, { projectId, imageId, stage: 'semi_automatic' });
    });
    // image 1: four prefill masks of r1 — one kept, one deleted, one edited, one only relabelled-like touch (pixels unchanged)
    const p1 = await machineMasks(imageIds[0]!, 'semi_automatic', 'prefill', ck.one, 4);
    // image 2: two prefill masks of r1 nobody has looked at yet (pending)
    await machineMasks(imageIds[1]!, 'semi_automatic', 'prefill', ck.one, 2);
    await machineMasks(lastOfStage1, 'semi_automatic', 'prefill', ck.one, 1);
    const task = await requestNextTask(env.deps, annB, { projectId });
    expect(task!.image.id).toBe(imageIds[0]);
    const rows = await env.deps.db.mask.findMany({ where: { id: { in: p1 } }, orderBy: { id: 'asc' } });
    await deleteMask(env.deps, annB, { maskId: rows[1]!.id.toString(), version: rows[1]!.version });
    await updateMask(env.deps, annB, { maskId: rows[2]!.id.toString(), version: rows[2]!.version, segmentation: rect(30, 70, 14, 14), activeMs: 5_000, clicks: 1 });
    const same = { size: [rows[3]!.rleHeight, rows[3]!.rleWidth] as [number, number], counts: rows[3]!.rleCounts };
    await updateMask(env.deps, annB, { maskId: rows[3]!.id.toString(), version: rows[3]!.version, segmentation: same, activeMs: 1_000, clicks: 0 });
    await submitTask(env.deps, annB, { taskId: task!.id, activeMs: 70_000 });

    // stage 3: r2's automatic masks in review — image 3 accepted with one rejected, image 4 rejected, image 5 unreviewed
    await setProjectStage(env.deps, manager, { projectId, stage: 'fully_automatic' });
    await m('manager', 'review.setSettings', { projectId, reviewLaterStages: true });
    const run = await env.deps.db.run.create({ data: { projectId, kind: 'autogen', status: 'succeeded', checkpointId: ck.two } });
    const a3 = await machineMasks(imageIds[2]!, 'fully_automatic', 'auto', ck.two, 3, run.id);
    await machineMasks(imageIds[3]!, 'fully_automatic', 'auto', ck.two, 2, run.id);
    await machineMasks(imageIds[4]!, 'fully_automatic', 'auto', ck.two, 1, run.id);
    await env.deps.db.$transaction(async (tx) => {
      for (const imageId of imageIds.slice(2, 5)) await queueReviewForMachineMasks(tx, { projectId, imageId, stage: 'fully_automatic', runId: run.id });
    });
    const byImage = async (imageId: number) => (await reviewsOf(imageId)).find((r) => r.runId === run.id)!.id.toString();
    expect((await m('manager', 'review.decide', { reviewId: await byImage(imageIds[2]!), decision: 'accept', rejectMaskIds: [a3[0]!.toString()] })).status).toBe(200);
    expect((await m('manager', 'review.decide', { reviewId: await byImage(imageIds[3]!), decision: 'reject', reason: 'shadows, not objects' })).status).toBe(200);
    stats = (await q<ProjectStats>('manager', 'stats.project', { projectId })).data!;
  });

  it('counts each model mask\'s fate per checkpoint: kept, edited, deleted, rejected, pending', () => {
    expect(stats.acceptRates).toEqual([
      // r1 prefill: image 1 kept 2 (one untouched, one touched without a pixel change), deleted 1, edited 1; image 2 and the mask added after a submission pending 3
      { checkpointKey: ck.one, checkpointName: 'r1', provenance: 'prefill', made: 7, kept: 2, edited: 1, deleted: 1, rejected: 0, pending: 3, acceptRate: 0.5 },
      // r2 auto: image 3 accepted 2 + rejected 1, image 4 rejected 2, image 5 pending 1
      { checkpointKey: ck.two, checkpointName: 'r2', provenance: 'auto', made: 6, kept: 2, edited: 0, deleted: 0, rejected: 3, pending: 1, acceptRate: 0.4 },
    ]);
  });

  it('has time per image per stage and per annotator from the submitted tasks', async () => {
    const tasks = await env.deps.db.task.findMany({ where: { projectId, status: 'submitted' } });
    for (const stage of ['assisted_manual', 'semi_automatic'] as const) {
      const mine = tasks.filter((t) => t.stage === stage);
      const row = stats.stages.find((s) => s.stage === stage)!;
      expect(row.submittedActiveMs, stage).toBe(mine.reduce((s, t) => s + t.activeMs, 0));
      expect(row.secondsPerImage, stage).toBe(Math.round((row.submittedActiveMs / 1000 / mine.length) * 100) / 100);
    }
    expect(stats.stages.find((s) => s.stage === 'semi_automatic')!.secondsPerImage).toBe(70);
    expect(stats.stages.find((s) => s.stage === 'fully_automatic')!.inReview).toBe(1);
    expect(stats.effort.byAnnotator.find((a) => a.authorId === annB.id)!.secondsPerImage).toBe(70);
  });

  it('shows the idle-gap cap the project counts with: the installation\'s, then the project\'s own', async () => {
    expect(stats.timing).toEqual({ idleCapSeconds: 30, source: 'installation' });
    const set = await m<ReviewSettingsDto>('manager', 'review.setSettings', { projectId, idleCapSeconds: 12 });
    expect(set.data).toMatchObject({ idleCapSeconds: 12, effectiveIdleCapSeconds: 12 });
    expect((await q<ReviewSettingsDto>('annA', 'review.settings', { projectId })).data!.effectiveIdleCapSeconds).toBe(12);
    expect((await q<ProjectStats>('manager', 'stats.project', { projectId })).data!.timing).toEqual({ idleCapSeconds: 12, source: 'project' });
    expect((await m('manager', 'review.setSettings', { projectId, idleCapSeconds: 0 })).status).toBe(400);
    await m('manager', 'review.setSettings', { projectId, idleCapSeconds: null });
  });

  const getCsv = async (who: string, kind: 'images' | 'masks') => {
    const res = await fetch(`${api.url}/api/projects/${projectId}/stats/${kind}.csv`, { headers: { cookie: cookies[who]! } });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
  };
  /** RFC 4180 (quoted cells may hold commas and doubled quotes). */
  const parseCsv = (text: string) => {
    const [header, ...lines] = text.trimEnd().split('\r\n');
    const columns = header!.split(',');
    const cells = (l: string) => [...l.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((x) => x[1]!.replace(/^"(.*)"$/s, '$1').replace(/""/g, '"'));
    return lines.map((l) => Object.fromEntries(cells(l).map((v, i) => [columns[i]!, v])));
  };

  it('downloads one row per image with its stage, status, time, masks and review', async () => {
    const csv = await getCsv('manager', 'images');
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.disposition).toMatch(/attachment; filename="accept-rates-images-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parseCsv(csv.text);
    expect(rows.map((r) => Number(r['image_id']))).toEqual(imageIds);
    const first = rows[0]!;
    expect(first).toMatchObject({ stage: 'semi_automatic', task_status: 'submitted', annotator: annB.email, active_seconds_semi_automatic: '70', masks_prefill: '3', masks_deleted: '1' });
    const fourth = rows[3]!;
    expect(fourth).toMatchObject({ review_status: 'rejected', reviewer: manager.email, review_reason: 'shadows, not objects', masks_auto: '0', masks_deleted: '2' });
    for (const r of rows) {
      const live = await env.deps.db.mask.count({ where: { imageId: Number(r['image_id']), deletedAt: null } });
      expect(Number(r['masks'])).toBe(live);
    }
  });

  it('downloads one row per mask (deleted ones too) whose fates add up to the accept rates', async () => {
    const rows = parseCsv((await getCsv('manager', 'masks')).text);
    expect(rows).toHaveLength(await env.deps.db.mask.count({ where: { projectId } }));
    for (const rate of stats.acceptRates) {
      const mine = rows.filter((r) => r['checkpoint'] === rate.checkpointName && r['provenance'] === rate.provenance);
      for (const fate of ['kept', 'edited', 'deleted', 'rejected', 'pending'] as const) expect(mine.filter((r) => r['fate'] === fate).length, `${rate.checkpointName} ${fate}`).toBe(rate[fate]);
    }
    expect(rows.filter((r) => r['provenance'] === 'manual').every((r) => r['fate'] === '' && r['author'] !== '')).toBe(true);
  });

  it('refuses the CSVs to annotators, like the dashboard', async () => {
    for (const kind of ['images', 'masks'] as const) {
      const csv = await getCsv('annA', kind);
      expect(csv.status).toBe(403);
      expect(csv.text).toContain("this project's dashboard needs");
    }
  });

  it('streams more masks than one batch, each once and in order', async () => {
    const { projectId: big, imageIds: [imageId] } = await newProject('Many masks', [41]);
    const rle = rect(0, 0, 4, 4);
    await env.deps.db.mask.createMany({
      data: Array.from({ length: 4_100 }, () => ({ projectId: big, imageId: imageId!, stage: 'fully_automatic' as const, provenance: 'auto' as const, rleCounts: rle.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: 0, bboxY: 0, bboxW: 4, bboxH: 4, area: 16 })),
    });
    const res = await fetch(`${api.url}/api/projects/${big}/stats/masks.csv`, { headers: { cookie: cookies['manager']! } });
    const rows = parseCsv(await res.text());
    expect(rows).toHaveLength(4_100);
    const ids = rows.map((r) => BigInt(r['mask_id']!));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  });
});

describe('the image viewer', () => {
  let projectId: string;
  let imageIds: number[];

  beforeAll(async () => {
    ({ projectId, imageIds } = await newProject('Viewer', [51, 52, 53]));
    await saveMask(env.deps, annA, { imageId: imageIds[1]!, segmentation: rect(10, 10, 30, 30), activeMs: 12_000, clicks: 4 });
    const imported = await env.deps.db.run.create({ data: { projectId, kind: 'import', status: 'succeeded' } });
    const rle = rect(80, 60, 20, 20);
    await env.deps.db.mask.create({ data: { projectId, imageId: imageIds[1]!, stage: 'semi_automatic', provenance: 'prefill', rleCounts: rle.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: 80, bboxY: 60, bboxW: 20, bboxH: 20, area: 400, runId: imported.id, predictedIou: 0.8 } });
  });

  it('shows every role that may see the project the image with its masks, their origin, author and neighbours', async () => {
    for (const who of ['manager', 'annB', 'ops']) {
      const res = await q<ImageViewDto>(who, 'viewer.image', { imageId: imageIds[1] });
      expect(res.status, who).toBe(200);
      const view = res.data!;
      expect(view.masks.map((x) => [x.origin, x.authorName])).toEqual([['manual', 'Ana Ruiz'], ['imported', null]]);
      expect(view).toMatchObject({ prevImageId: imageIds[0], nextImageId: imageIds[2], position: 2, total: 3, project: { id: projectId, name: 'Viewer' } });
      expect(view.tasks.map((t) => [t.stage, t.status])).toEqual([['assisted_manual', 'open']]);
    }
    const edge = (await q<ImageViewDto>('manager', 'viewer.image', { imageId: imageIds[0] })).data!;
    expect([edge.prevImageId, edge.nextImageId]).toEqual([null, imageIds[1]]);
    expect((await q('outsider', 'viewer.image', { imageId: imageIds[1] })).status).toBe(403);
  });

  it('gives the grid each tile\'s stage, status, review and mask count', async () => {
    const res = await q<ImageTileWorkDto[]>('annA', 'viewer.tiles', { projectId, imageIds });
    expect(res.data!.find((t) => t.imageId === imageIds[1])).toEqual({ imageId: imageIds[1], stage: 'assisted_manual', taskStatus: 'open', review: null, masks: 2, byProvenance: { manual: 1, prefill: 1, auto: 0 } });
    expect(res.data!.find((t) => t.imageId === imageIds[0])).toMatchObject({ masks: 0, review: null });
  });
});
