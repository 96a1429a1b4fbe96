// Scheduled retraining: every N new manual masks a project starts a retrain run (as the system),
// never while one is queued or running; every Kth of them full when the schedule says so. No worker runs here: the runs stay queued.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '@dataengine/contracts';
import { cancelRun, deleteMask, registerCheckpoint, setRetrainSchedule, SYSTEM_ACTOR, type CheckpointRow } from '@dataengine/engine';
import { createTestEnv, makeProject, makeUser, REPO_ROOT, type MadeUser, type TestEnv } from '@dataengine/testing';
import { addSceneImages } from './loop-test-project';

let env: TestEnv;
let ops: MadeUser;
let manager: MadeUser;
let annotator: MadeUser;
let projectId: string;
let active: CheckpointRow;

const retrainRuns = () => env.deps.db.run.findMany({ where: { projectId, kind: 'retrain' }, orderBy: { createdAt: 'asc' } });
const mark = async () => (await env.deps.db.project.findUniqueOrThrow({ where: { id: projectId } })).retrainMaskMark;
const addMasks = (images: number, seed: number) => addSceneImages(env.deps, { projectId, uploader: manager, annotator, count: images, seed, masksPerImage: 1 });

beforeAll(async () => {
  env = await createTestEnv();
  ops = await makeUser(env.deps.db, { role: 'ops' });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  active = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models', 'default'), name: 'built-in default', activate: true });
});
afterAll(async () => {
  await env?.close();
});

describe('scheduled retraining', () => {
  it('only ops sets it, with a positive whole number or null', async () => {
    const refused = async (p: Promise<unknown>) => (await p.then(() => null, (e: unknown) => e)) as AppError;
    expect((await refused(setRetrainSchedule(env.deps, annotator, { projectId, everyMasks: 3 }))).code).toBe('FORBIDDEN');
    const zero = await refused(setRetrainSchedule(env.deps, ops, { projectId, everyMasks: 0 }));
    expect(zero.code).toBe('BAD_REQUEST');
    expect(zero.message).toContain('everyMasks must be a whole number from 1');
    expect((await refused(setRetrainSchedule(env.deps, ops, { projectId: '00000000-0000-4000-8000-000000000001', everyMasks: 3 }))).code).toBe('NOT_FOUND');
    expect(await setRetrainSchedule(env.deps, ops, { projectId, everyMasks: null })).toMatchObject({ everyMasks: null, masksToNext: null });
  });

  it('starts a retrain after every N new manual masks, never while one is queued or running', async () => {
    await addMasks(2, 1); // 2 masks before the schedule exists: they count too
    expect(await setRetrainSchedule(env.deps, ops, { projectId, everyMasks: 3 })).toMatchObject({ everyMasks: 3, maskMark: 0, masksNow: 2, masksToNext: 1 });
    expect(await retrainRuns()).toHaveLength(0);

    await addMasks(1, 2); // 3rd mask: due
    const [first, ...none] = await retrainRuns();
    expect(none).toHaveLength(0);
    expect(first).toMatchObject({ status: 'queued', createdById: null, checkpointId: active.id, total: 300 });
    expect(first!.params).toMatchObject({ projectId, steps: 300, evaluate: true });
    expect(await mark()).toBe(3);

    await addMasks(4, 3); // 7 masks ≥ 3 + 3, but a retrain is queued
    expect(await retrainRuns()).toHaveLength(1);
    expect(await mark()).toBe(3);

    await cancelRun(env.deps, ops, { runId: first!.id, reason: 'not now' });
    const saved = await addMasks(1, 4); // 8 masks, none queued: starts again, mark moves to the count
    expect(await retrainRuns()).toHaveLength(2);
    expect(await mark()).toBe(8);

    // deleted masks do not count: back to 7, and 7 + 3 more are needed after the mark of 8
    const mask = await env.deps.db.mask.findFirstOrThrow({ where: { imageId: saved.imageIds[0]! } });
    await deleteMask(env.deps, annotator, { maskId: mask.id.toString(), version: mask.version });
    expect(await setRetrainSchedule(env.deps, ops, { projectId, everyMasks: 3 })).toMatchObject({ masksNow: 7, maskMark: 8, masksToNext: 4 });
  });

  it('runs every Kth scheduled retrain in full mode and the others fast', async () => {
    const other = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
    const runs = () => env.deps.db.run.findMany({ where: { projectId: other, kind: 'retrain' }, orderBy: { createdAt: 'asc' } });
    const refused = await setRetrainSchedule(env.deps, ops, { projectId: other, everyMasks: 2, fullEvery: 0 }).then(() => null, (e: unknown) => e as AppError);
    expect(refused?.code).toBe('BAD_REQUEST');
    expect(refused?.message).toContain('fullEvery must be a whole number from 1');
    expect(await setRetrainSchedule(env.deps, ops, { projectId: other, everyMasks: 2, fullEvery: 2 })).toMatchObject({ everyMasks: 2, fullEvery: 2, scheduledRetrains: 0, nextMode: 'fast' });
    const modes: string[] = [];
    for (let round = 0; round < 4; round++) {
      await addSceneImages(env.deps, { projectId: other, uploader: manager, annotator, count: 2, seed: 100 + round, masksPerImage: 1 });
      const all = await runs();
      expect(all).toHaveLength(round + 1);
      const last = all[all.length - 1]!;
      modes.push((last.params as { mode: string }).mode);
      await cancelRun(env.deps, ops, { runId: last.id, reason: 'next round' }); // the next one may start
    }
    expect(modes).toEqual(['fast', 'full', 'fast', 'full']);
    // omitting fullEvery keeps it; null turns full retrains off
    expect(await setRetrainSchedule(env.deps, ops, { projectId: other, everyMasks: 3 })).toMatchObject({ fullEvery: 2, scheduledRetrains: 4, nextMode: 'fast' });
    expect(await setRetrainSchedule(env.deps, ops, { projectId: other, everyMasks: 3, fullEvery: null })).toMatchObject({ fullEvery: null, nextMode: 'fast' });
    expect(await setRetrainSchedule(env.deps, ops, { projectId: other, everyMasks: null, fullEvery: 1 })).toMatchObject({ everyMasks: null, fullEvery: 1, nextMode: null });
  });
});
