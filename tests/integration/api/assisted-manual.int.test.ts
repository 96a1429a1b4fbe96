// Stage 1 over the real API: the annotators' task queue with leases, and masks saved with their
// time and clicks, counted in the pre-aggregated counters in the same transaction.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestImage, uploadImage } from '@dataengine/engine';
import { compressRle, encodeMask, type BinaryMask } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import {
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  trpcQuery,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let projectId: string;
let annA: MadeUser;
let annB: MadeUser;
const cookies: Record<string, string> = {};
const imageIds: number[] = [];
const SIZE = { width: 160, height: 120 };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  annA = await makeUser(env.deps.db, { role: 'annotator' });
  annB = await makeUser(env.deps.db, { role: 'annotator' });
  const outsider = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annA, role: 'annotator' }, { user: annB, role: 'annotator' }] })).id;
  for (let seed = 1; seed <= 6; seed++) {
    const { image } = await uploadImage(env.deps, manager, {
      projectId,
      fileName: `s${seed}.png`,
      body: Readable.from([await syntheticImageBytes({ seed, ...SIZE, format: 'png' })]),
    });
    await ingestImage(env.deps, { imageId: image.id });
    imageIds.push(image.id);
  }
  for (const [key, user] of Object.entries({ annA, annB, outsider, manager })) cookies[key] = await loginCookie(api.url, user.email, user.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

type Task = { id: string; image: { id: number }; leaseExpiresAt: string };
const next = (who: string) => trpcMutation<Task | null>(api.url, 'tasks.next', { projectId }, cookies[who]);

describe('the task queue', () => {
  it('ingest put every image in the stage-1 queue', async () => {
    expect(await env.deps.db.task.count({ where: { projectId, stage: 'assisted_manual', status: 'open' } })).toBe(6);
  });

  it('two annotators asking at the same moment never get the same image', async () => {
    const [a, b] = await Promise.all([next('annA'), next('annB')]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.data!.image.id).not.toBe(b.data!.image.id);
    // asking again returns the task you already hold, with its lease renewed
    const again = await next('annA');
    expect(again.data!.id).toBe(a.data!.id);
    expect(Date.parse(again.data!.leaseExpiresAt)).toBeGreaterThanOrEqual(Date.parse(a.data!.leaseExpiresAt));
  });

  it('many concurrent requests hand out distinct tasks until the queue is empty', async () => {
    // release what A and B hold, then let 8 requests race for 6 images
    const held = await env.deps.db.task.findMany({ where: { projectId, status: 'leased' } });
    await env.deps.db.task.updateMany({ where: { id: { in: held.map((t) => t.id) } }, data: { status: 'open', assigneeId: null, leaseExpiresAt: null } });
    const racers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const user = await makeUser(env.deps.db, { role: 'annotator' });
        await env.deps.db.projectMember.create({ data: { projectId, userId: user.id, role: 'annotator' } });
        return loginCookie(api.url, user.email, user.password);
      }),
    );
    const results = await Promise.all(racers.map((cookie) => trpcMutation<Task | null>(api.url, 'tasks.next', { projectId }, cookie)));
    const got = results.map((r) => r.data?.id).filter(Boolean);
    expect(got).toHaveLength(6);
    expect(new Set(got).size).toBe(6);
    expect(results.filter((r) => r.data === null)).toHaveLength(2);
    await env.deps.db.task.updateMany({ where: { projectId }, data: { status: 'open', assigneeId: null, leaseExpiresAt: null } });
  });

  it('an expired lease returns the image to the queue, and its old holder cannot submit it', async () => {
    const a = (await next('annA')).data!;
    await env.deps.db.task.update({ where: { id: BigInt(a.id) }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
    const b = (await next('annB')).data!;
    expect(b.id).toBe(a.id);
    const late = await trpcMutation(api.url, 'tasks.submit', { taskId: a.id, activeMs: 1000 }, cookies['annA']);
    expect(late.status).toBe(409);
    expect(late.error?.message).toMatch(/lease on this image ended/);
  });

  it('a non-member cannot take work from the project', async () => {
    expect((await next('outsider')).status).toBe(403);
  });
});

function instanceMask(seed: number): BinaryMask {
  const scene = generateScene({ seed, ...SIZE });
  const biggest = [...scene.instances].sort((x, y) => y.area - x.area)[0]!;
  return biggest.mask;
}

describe('masks', () => {
  const counters = () => env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'assisted_manual' } } });

  it('are saved with area and SAM bbox computed from the RLE, time and clicks counted once', async () => {
    const imageId = imageIds[0]!;
    const mask = instanceMask(1);
    const segmentation = compressRle(encodeMask(mask));
    const input = { imageId, segmentation, activeMs: 14_000, clicks: 3, pointCoords: [[10, 12]], clientKey: 'draft-0001-abcd' };
    const saved = await trpcMutation<{ id: string; area: number; bbox: number[]; version: number; authorId: string }>(api.url, 'masks.save', input, cookies['annA']);
    expect(saved.status).toBe(200);
    expect(saved.data!.area).toBe(mask.data.reduce((s, v) => s + v, 0));
    expect(saved.data!.authorId).toBe(annA.id);
    // the same draft re-sent after a lost connection is stored once
    const again = await trpcMutation<{ id: string }>(api.url, 'masks.save', input, cookies['annA']);
    expect(again.data!.id).toBe(saved.data!.id);
    expect(await env.deps.db.mask.count({ where: { imageId } })).toBe(1);
    expect(await counters()).toMatchObject({ masksManual: 1, activeMsTotal: 14_000n, clicksTotal: 3n });
    const daily = await env.deps.db.annotatorDailyCounter.findMany({ where: { projectId, authorId: annA.id } });
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ masks: 1, activeMs: 14_000n, clicks: 3 });
  });

  it('refuse malformed RLE, a size that is not the image, and non-members, saving nothing', async () => {
    const before = await env.deps.db.mask.count();
    const imageId = imageIds[1]!;
    const bad = await trpcMutation(api.url, 'masks.save', { imageId, segmentation: { size: [120, 160], counts: '0!!' }, activeMs: 1, clicks: 1 }, cookies['annA']);
    expect(bad.status).toBe(400);
    expect(bad.error?.message).toMatch(/not a valid COCO RLE/);
    const wrongSize = await trpcMutation(api.url, 'masks.save', { imageId, segmentation: compressRle(encodeMask({ height: 10, width: 10, data: new Uint8Array(100).fill(1) })), activeMs: 1, clicks: 1 }, cookies['annA']);
    expect(wrongSize.status).toBe(400);
    expect(wrongSize.error?.message).toBe('the mask is 10×10 but the image is 160×120; masks must cover the whole image');
    const outsider = await trpcMutation(api.url, 'masks.save', { imageId, segmentation: compressRle(encodeMask(instanceMask(2))), activeMs: 1, clicks: 1 }, cookies['outsider']);
    expect(outsider.status).toBe(403);
    expect(await env.deps.db.mask.count()).toBe(before);
  });

  it('an edit on a stale version is refused with a conflict that keeps both sides intact', async () => {
    // the project's manager corrects annA's mask while annA's tool still has the old version
    const [mask] = (await trpcQuery<{ id: string; version: number; area: number }[]>(api.url, 'masks.list', { imageId: imageIds[0] }, cookies['manager'])).data!;
    const grown = instanceMask(1);
    const data = Uint8Array.from(grown.data);
    data.fill(1, 0, 160 * 5); // brush stroke: first five rows
    const segmentation = compressRle(encodeMask({ ...grown, data }));
    const ok = await trpcMutation<{ version: number; area: number }>(api.url, 'masks.update', { maskId: mask!.id, version: mask!.version, segmentation, activeMs: 2_000, clicks: 1 }, cookies['manager']);
    expect(ok.status).toBe(200);
    expect(ok.data!.version).toBe(mask!.version + 1);
    expect(ok.data!.area).toBeGreaterThan(mask!.area);
    const stale = await trpcMutation(api.url, 'masks.update', { maskId: mask!.id, version: mask!.version, segmentation: compressRle(encodeMask(grown)), activeMs: 10, clicks: 1 }, cookies['annA']);
    expect(stale.status).toBe(409);
    expect(stale.error?.message).toMatch(/someone changed this mask before your edit \(now at version 2\)/);
    const row = await env.deps.db.mask.findUniqueOrThrow({ where: { id: BigInt(mask!.id) } });
    expect(row.area).toBe(ok.data!.area);
    expect((await counters()).activeMsTotal).toBe(16_000n);
  });

  it('delete is soft and the counters follow', async () => {
    const [mask] = (await trpcQuery<{ id: string; version: number }[]>(api.url, 'masks.list', { imageId: imageIds[0] }, cookies['annA'])).data!;
    expect((await trpcMutation(api.url, 'masks.delete', { maskId: mask!.id, version: mask!.version }, cookies['annA'])).status).toBe(200);
    expect((await trpcQuery<unknown[]>(api.url, 'masks.list', { imageId: imageIds[0] }, cookies['annA'])).data).toEqual([]);
    expect((await env.deps.db.mask.findUniqueOrThrow({ where: { id: BigInt(mask!.id) } })).deletedAt).toBeInstanceOf(Date);
    expect((await counters()).masksManual).toBe(0);
  });

  it('submitting an image closes its task and counts it done', async () => {
    const task = (await next('annA')).data!;
    const res = await trpcMutation<{ status: string }>(api.url, 'tasks.submit', { taskId: task.id, activeMs: 30_000, emptyConfirmed: true }, cookies['annA']);
    expect(res.data!.status).toBe('submitted');
    expect((await counters()).imagesDone).toBe(1);
    expect((await next('annA')).data?.id).not.toBe(task.id);
  });
});
