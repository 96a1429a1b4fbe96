// An evaluation ops can trust, over HTTP against real PostgreSQL and Redis: the held-out set a
// project keeps (upload choice, the share, managers moving images), evaluate refused — no run, no
// job — while that set is empty or too small (and again by the job), promotion of a candidate the
// gate did not pass only with a confirmation and a reason (both in the audit trail), and promote /
// roll back confined to one scope with one active checkpoint per scope.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointDto, HeldOutSetDto } from '@dataengine/contracts';
import { createRun, hashPosition, promoteCheckpoint, registerCheckpoint, runEvaluate, runImport, saveMask, startImport, SYSTEM_ACTOR, type CheckpointRow } from '@dataengine/engine';
import { PermanentJobError } from '@dataengine/queue';
import { compressRle, encodeMask } from '@dataengine/segment';
import { writeContractBundle } from '@dataengine/segment/testing';
import {
  addSyntheticImages,
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  trpcQuery,
  uploadBytes,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let tmp: string;
let ops: MadeUser;
let manager: MadeUser;
let annotator: MadeUser;
const cookies: Record<string, string> = {};
let project: { id: string; name: string };
let other: { id: string; name: string };
let global: CheckpointRow;
let bundles = 0;

const W = 160;
const H = 120;

/** A square mask saved by the annotator (area 20×20). */
const square = (imageId: number, i: number) => {
  const data = new Uint8Array(W * H);
  const x0 = 5 + (i % 6) * 25;
  const y0 = 5 + Math.floor(i / 6) * 25;
  for (let y = y0; y < y0 + 20; y++) data.fill(1, y * W + x0, y * W + x0 + 20);
  return saveMask(env.deps, annotator, { imageId, segmentation: compressRle(encodeMask({ width: W, height: H, data })), activeMs: 500, clicks: 1 });
};

async function candidate(name: string, extra: { projectId?: string | null; parentId?: string; evaluation?: Record<string, unknown> } = {}): Promise<CheckpointRow> {
  const dir = await writeContractBundle(path.join(tmp, `bundle-${bundles}`), bundles % 2 ? 'with-detector' : 'valid');
  bundles += 1;
  // the contract bundle is the same bytes each time; a manifest field makes each one its own bundle
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name }));
  return registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name, projectId: extra.projectId ?? null, parentId: extra.parentId ?? null, metrics: extra.evaluation ? { evaluation: extra.evaluation } : null });
}

/** An evaluation as evaluate runs record it (evaluate.int.test.ts checks the real one). */
const evaluation = (against: CheckpointRow, gatePassed: boolean, verdict: string) => {
  const m = (checkpointId: string, name: string, miou1: number) => ({ checkpointId, name, miou1, miou3: 0.7, miou5: 0.75, noc90: 9, boxAp50: null, boxMiou1: 0.6, calibrationError: 0.1, calibration: [], images: 12, objects: 180 });
  return { runId: 'run-1', at: new Date().toISOString(), projectId: project.id, set: { id: 'set:0123456789ab', images: 12, masks: 180, excludedImages: 0 }, candidate: m('c', 'c', 0.898), baseline: m(against.id, against.name, 0.509), verdict, gatePassed, decision: gatePassed ? 'promoted' : 'awaiting ops decision' };
};

beforeAll(async () => {
  env = await createTestEnv(); // EVAL_MIN_MASKS: the default, 50
  api = await startTestApi(env.deps);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'evaluation-gate-'));
  ops = await makeUser(env.deps.db, { role: 'ops' });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  project = await makeProject(env.deps.db, { createdBy: manager, name: 'Held out', members: [{ user: annotator, role: 'annotator' }] });
  other = await makeProject(env.deps.db, { createdBy: manager, name: 'Other' });
  for (const [key, user] of Object.entries({ ops, manager, annotator })) cookies[key] = await loginCookie(api.url, user.email, user.password);
  global = await candidate('global r0');
  await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: global.id, reason: 'set-up' });
});
afterAll(async () => {
  await api?.close();
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

const heldOut = async (projectId = project.id) => (await trpcQuery<HeldOutSetDto>(api.url, 'images.heldOut', { projectId }, cookies['manager'])).data!;

describe('the held-out set', () => {
  it('uploads choose val, train or auto (the project share by content hash); managers change the share and move images', async () => {
    const bytes = await Promise.all([1, 2, 3].map((seed) => syntheticImageBytes({ seed: 900 + seed, width: W, height: H, format: 'png' })));
    const val = await uploadBytes(api.url, other.id, bytes[0]!, cookies['manager']!, 'a.png', '&split=val');
    const train = await uploadBytes(api.url, other.id, bytes[1]!, cookies['manager']!, 'b.png', '&split=train');
    const auto = await uploadBytes(api.url, other.id, bytes[2]!, cookies['manager']!, 'c.png');
    expect([val.status, train.status, auto.status]).toEqual([201, 201, 201]);
    expect([val.body.image.split, train.body.image.split]).toEqual(['val', 'train']);
    // auto: val exactly when the hash falls under the share (0.1 by default)
    expect(auto.body.image.split).toBe(hashPosition(auto.body.image.contentHash) < 0.1 ? 'val' : 'train');
    expect((await uploadBytes(api.url, other.id, bytes[2]!, cookies['manager']!, 'd.png', '&split=holdout')).status).toBe(400);

    // a share of 0.5: an image whose hash falls under it goes to val when uploaded as auto
    const share = await trpcMutation<HeldOutSetDto>(api.url, 'images.setValShare', { projectId: other.id, valShare: 0.5 }, cookies['manager']);
    expect(share.data!.valShare).toBe(0.5);
    let seed = 1000;
    let picked: { bytes: Buffer; position: number } | null = null;
    while (!picked) {
      const b = await syntheticImageBytes({ seed: seed++, width: W, height: H, format: 'png' });
      const position = hashPosition(createHash('sha256').update(b).digest('hex'));
      if (position < 0.5) picked = { bytes: b, position };
    }
    expect((await uploadBytes(api.url, other.id, picked.bytes, cookies['manager']!, 'e.png')).body.image.split).toBe('val');
    expect((await trpcMutation(api.url, 'images.setValShare', { projectId: other.id, valShare: 0.9 }, cookies['manager'])).status).toBe(400);
    expect((await trpcMutation(api.url, 'images.setValShare', { projectId: other.id, valShare: 0.2 }, cookies['annotator'])).status).toBe(403);

    // managers move images by id; annotators cannot; the counts follow
    const before = await heldOut(other.id);
    const moved = await trpcMutation<{ updated: number }>(api.url, 'images.setSplit', { projectId: other.id, imageIds: [train.body.image.id], split: 'val' }, cookies['manager']);
    expect(moved.data).toEqual({ updated: 1, split: 'val' });
    expect((await heldOut(other.id)).images).toEqual({ train: before.images.train - 1, val: before.images.val + 1 });
    expect((await trpcMutation(api.url, 'images.setSplit', { projectId: other.id, imageIds: [train.body.image.id], split: 'train' }, cookies['annotator'])).status).toBe(403);
    const foreign = await trpcMutation(api.url, 'images.setSplit', { projectId: other.id, imageIds: [999_999], split: 'val' }, cookies['manager']);
    expect(foreign.status).toBe(400);
    expect(foreign.error!.message).toContain('999999 are not in this project');
  });
});

describe('the held-out choice of an import', () => {
  it('val or train moves the images the import annotates; auto leaves them where they are', async () => {
    const [a, b] = await addSyntheticImages(env.deps, manager, { projectId: other.id, seeds: [71, 72], width: W, height: H, fileName: (seed) => `import-${seed}.png` });
    await trpcMutation(api.url, 'images.setSplit', { projectId: other.id, imageIds: [a!, b!], split: 'train' }, cookies['manager']);
    const doc = (fileName: string) => ({
      images: [{ id: 1, file_name: fileName, width: W, height: H }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [[10, 10, 40, 10, 40, 40, 10, 40]] }],
      categories: [{ id: 1, name: 'object' }],
    });
    const importInto = async (fileName: string, split: string | null) => {
      const run = await startImport(env.deps, manager, { projectId: other.id, format: 'coco', split, body: Readable.from([Buffer.from(JSON.stringify(doc(fileName)))]) });
      await runImport(env.deps, { runId: run.id }, { attempt: 1 });
      return env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    };
    const toVal = await importInto('import-71.png', 'val');
    expect(toVal.status).toBe('succeeded');
    expect(toVal.result).toMatchObject({ split: { choice: 'val', moved: 1 } });
    const kept = await importInto('import-72.png', null);
    expect(kept.result).toMatchObject({ split: { choice: 'auto', moved: 0 } });
    const splits = await env.deps.db.image.findMany({ where: { id: { in: [a!, b!] } }, orderBy: { id: 'asc' }, select: { split: true } });
    expect(splits.map((r) => r.split)).toEqual(['val', 'train']);
    const bad = await startImport(env.deps, manager, { projectId: other.id, format: 'coco', split: 'test', body: Readable.from([Buffer.from('{}')]) }).catch((e: unknown) => e as Error);
    expect((bad as Error).message).toBe('unknown held-out choice "test"; use ?split=auto, train or val');
  });
});

describe('evaluate refusals', () => {
  let imageIds: number[];
  let projectCandidate: CheckpointRow;
  const trainJobs = async () => {
    const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('train', { connection, prefix: env.config.QUEUE_PREFIX });
    try {
      const counts = await queue.getJobCounts('wait', 'delayed', 'active', 'failed', 'completed', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  };
  const start = () => trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'evaluate', projectId: project.id, candidateId: projectCandidate.id }, cookies['ops']);

  beforeAll(async () => {
    imageIds = await addSyntheticImages(env.deps, manager, { projectId: project.id, seeds: [31, 32, 33, 34], width: W, height: H });
    // no held-out set yet: every image is train
    await trpcMutation(api.url, 'images.setSplit', { projectId: project.id, imageIds, split: 'train' }, cookies['manager']);
    for (const id of imageIds) for (let i = 0; i < 3; i++) await square(id, i);
    projectCandidate = await candidate('held out r1', { projectId: project.id, parentId: global.id });
  });

  it('an empty held-out set: refused at creation with what to do; no run, no job', async () => {
    const refused = await start();
    expect(refused.status).toBe(409);
    expect(refused.error!.message).toContain('this project has no val images with accepted masks');
    expect(refused.error!.message).toContain('mark images as val on the project page');
    expect(await env.deps.db.run.count({ where: { kind: 'evaluate' } })).toBe(0);
    expect(await trainJobs()).toBe(0);
  });

  it('too few masks: refused with the counts and the minimum (EVAL_MIN_MASKS); the job refuses again, permanently', async () => {
    await trpcMutation(api.url, 'images.setSplit', { projectId: project.id, imageIds: imageIds.slice(0, 2), split: 'val' }, cookies['manager']);
    expect((await heldOut()).evaluationSet).toMatchObject({ images: 2, masks: 6 });
    const refused = await start();
    expect(refused.status).toBe(409);
    expect(refused.error!.message).toMatch(/^the held-out set has 6 annotated masks on 2 val images; evaluate needs at least 50 \(EVAL_MIN_MASKS\)/);
    expect(await env.deps.db.run.count({ where: { kind: 'evaluate' } })).toBe(0);
    expect(await trainJobs()).toBe(0);

    // a run that got past the check (masks deleted while it waited) fails in the job, for good
    const run = await createRun(env.deps, { kind: 'evaluate', projectId: project.id, createdById: ops.id, params: { projectId: project.id, candidateId: projectCandidate.id, maxImages: 50, autoPromoteMargin: 0.01 } });
    const error = await runEvaluate(env.deps, { runId: run.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentJobError);
    const failed = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('evaluate needs at least 50');
  });
});

describe('promotion', () => {
  it('a candidate the gate refused needs overrideGate and a reason; the override and the reason are its history', async () => {
    const refused = await candidate('held out r2', { projectId: project.id, parentId: global.id, evaluation: evaluation(global, false, 'miou5 falls by 0.0515, more than the margin 0.01 (miou1 +0.3890, miou3 +0.0100, miou5 -0.0515)') });
    const listed = (await trpcQuery<CheckpointDto[]>(api.url, 'checkpoints.list', undefined, cookies['ops'])).data!.find((c) => c.id === refused.id)!;
    expect(listed).toMatchObject({ projectName: 'Held out', gate: { passed: false }, evaluation: { set: { id: 'set:0123456789ab', images: 12, masks: 180 }, gatePassed: false, decision: 'awaiting ops decision' } });

    const plain = await trpcMutation(api.url, 'checkpoints.promote', { checkpointId: refused.id }, cookies['ops']);
    expect(plain.status).toBe(409);
    expect(plain.error!.message).toContain('the promotion gate did not pass held out r2: miou5 falls by 0.0515');
    expect(plain.error!.message).toContain('confirm with overrideGate: true and a reason');
    const noReason = await trpcMutation(api.url, 'checkpoints.promote', { checkpointId: refused.id, overrideGate: true, reason: '  ' }, cookies['ops']);
    expect(noReason.status).toBe(409);
    expect(noReason.error!.message).toContain('confirm with a reason');
    const noFlag = await trpcMutation(api.url, 'checkpoints.promote', { checkpointId: refused.id, reason: 'looks fine to me' }, cookies['ops']);
    expect(noFlag.status).toBe(409);
    expect((await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: refused.id } })).status).toBe('candidate');

    const done = await trpcMutation<CheckpointDto>(api.url, 'checkpoints.promote', { checkpointId: refused.id, overrideGate: true, reason: 'reviewed 40 masks by hand; the 5-click drop is one odd image' }, cookies['ops']);
    expect(done.status).toBe(200);
    expect(done.data).toMatchObject({ status: 'active', projectId: project.id, projectName: 'Held out' });
    const history = await trpcQuery<{ action: string; toStatus: string; actor: string; reason: string }[]>(api.url, 'ops.checkpointEvents', { checkpointId: refused.id }, cookies['ops']);
    expect(history.data!.map((e) => [e.action, e.toStatus, e.actor])).toEqual([
      ['promote-override', 'active', ops.email],
      ['register', 'candidate', null],
    ]);
    expect(history.data![0]!.reason).toBe('gate overridden (miou5 falls by 0.0515, more than the margin 0.01 (miou1 +0.3890, miou3 +0.0100, miou5 -0.0515)): reviewed 40 masks by hand; the 5-click drop is one odd image');
    const row = await env.deps.db.checkpointEvent.findFirstOrThrow({ where: { checkpointId: refused.id, action: 'promote-override' } });
    expect(row.actorId).toBe(ops.id);
  });

  it('a never-evaluated candidate needs the override too; one the gate passed against the active checkpoint does not', async () => {
    const active = (await env.deps.db.checkpoint.findFirstOrThrow({ where: { status: 'active', projectId: project.id } }))!;
    const unevaluated = await candidate('held out r3', { projectId: project.id, parentId: active.id });
    const refused = await trpcMutation(api.url, 'checkpoints.promote', { checkpointId: unevaluated.id }, cookies['ops']);
    expect(refused.status).toBe(409);
    expect(refused.error!.message).toContain('not evaluated');

    // passed, but against a checkpoint that is not the active one any more: evaluate again
    const stale = await candidate('held out r4', { projectId: project.id, parentId: active.id, evaluation: evaluation(global, true, 'mean mIoU gain 0.0500 ≥ margin 0.01') });
    const staleAnswer = await trpcMutation(api.url, 'checkpoints.promote', { checkpointId: stale.id }, cookies['ops']);
    expect(staleAnswer.status).toBe(409);
    expect(staleAnswer.error!.message).toContain(`it was evaluated against global r0, but ${active.name} is active in its scope now`);

    const passed = await candidate('held out r5', { projectId: project.id, parentId: active.id, evaluation: evaluation(active, true, 'mean mIoU gain 0.0500 ≥ margin 0.01') });
    const promoted = await trpcMutation<CheckpointDto>(api.url, 'checkpoints.promote', { checkpointId: passed.id }, cookies['ops']);
    expect(promoted.status).toBe(200);
    const event = await env.deps.db.checkpointEvent.findFirstOrThrow({ where: { checkpointId: passed.id, toStatus: 'active' } });
    expect([event.action, event.reason]).toEqual(['promote', 'promotion gate passed: mean mIoU gain 0.0500 ≥ margin 0.01']);
  });
});

describe('scopes', () => {
  const activeIn = (projectId: string | null) => env.deps.db.checkpoint.findMany({ where: { status: 'active', projectId }, select: { name: true } });

  it('promote and roll back stay in one scope: the global checkpoint is never touched by a project', async () => {
    // the project has its own active checkpoint (held out r5) and the global one stays active beside it
    expect(await activeIn(project.id)).toEqual([{ name: 'held out r5' }]);
    expect(await activeIn(null)).toEqual([{ name: 'global r0' }]);
    const listed = (await trpcQuery<CheckpointDto[]>(api.url, 'checkpoints.list', undefined, cookies['ops'])).data!;
    expect(listed.filter((c) => c.status === 'active').map((c) => [c.name, c.projectName])).toEqual(expect.arrayContaining([['held out r5', 'Held out'], ['global r0', null]]));

    const back = await trpcMutation<CheckpointDto>(api.url, 'checkpoints.rollback', { projectId: project.id, reason: 'r5 masks look worse' }, cookies['ops']);
    expect(back.status).toBe(200);
    expect(back.data).toMatchObject({ name: 'held out r2', status: 'active', projectId: project.id });
    expect(await activeIn(null)).toEqual([{ name: 'global r0' }]);
    const rolled = await env.deps.db.checkpointEvent.findFirstOrThrow({ where: { action: 'rollback', toStatus: 'active' }, orderBy: { id: 'desc' } });
    expect([rolled.reason, rolled.actorId]).toEqual(['r5 masks look worse', ops.id]);

    // a project without a checkpoint of its own has nothing to roll back; the global scope is explicit
    const none = await trpcMutation(api.url, 'checkpoints.rollback', { projectId: other.id, reason: 'x' }, cookies['ops']);
    expect(none.status).toBe(409);
    expect(none.error!.message).toBe('project "Other" has no checkpoint of its own active (it uses the global one); nothing to roll back in its scope');
    const globalBack = await trpcMutation(api.url, 'checkpoints.rollback', { projectId: null, reason: 'x' }, cookies['ops']);
    expect(globalBack.status).toBe(409);
    expect(globalBack.error!.message).toContain('global r0 did not replace an earlier checkpoint');
    expect(await activeIn(project.id)).toEqual([{ name: 'held out r2' }]);
  });

  it('one active checkpoint per scope, even when two promotions race', async () => {
    const a = await candidate('race a', { projectId: other.id });
    const b = await candidate('race b', { projectId: other.id });
    const c = await candidate('global race c');
    await Promise.all([
      promoteCheckpoint(env.deps, ops, { checkpointId: a.id, reason: 'race' }),
      promoteCheckpoint(env.deps, ops, { checkpointId: b.id, reason: 'race' }),
      promoteCheckpoint(env.deps, ops, { checkpointId: c.id, reason: 'race' }),
    ]);
    expect(await activeIn(other.id)).toHaveLength(1);
    expect(await activeIn(null)).toEqual([{ name: 'global race c' }]);
    expect(await activeIn(project.id)).toEqual([{ name: 'held out r2' }]);
    // the loser of the race was retired by the winner, with an audit event saying so
    const [loser] = await env.deps.db.checkpoint.findMany({ where: { id: { in: [a.id, b.id] }, status: 'retired' } });
    expect(loser).toBeDefined();
    expect(await env.deps.db.checkpointEvent.count({ where: { checkpointId: loser!.id, toStatus: 'retired' } })).toBe(1);
  });

  it('rejected checkpoints cannot be promoted, with or without the override', async () => {
    const rejected = await candidate('rejected one', { projectId: other.id });
    await env.deps.db.checkpoint.update({ where: { id: rejected.id }, data: { status: 'rejected' } });
    const answer = await trpcMutation(api.url, 'checkpoints.promote', { checkpointId: rejected.id, overrideGate: true, reason: 'please' }, cookies['ops']);
    expect(answer.status).toBe(409);
    expect(answer.error!.message).toContain('was rejected');
  });
});
