// The annotator's way through the queue over the real API: skip with a reason (never back to the
// same annotator; set aside for a manager once two annotators skipped it), previous image (re-open
// the image you submitted last), and no silent submit of an image without masks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressRle, encodeMask } from '@dataengine/segment';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startTestApi, trpcMutation, trpcQuery, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let projectId: string;
const cookies: Record<string, string> = {};
const users: Record<string, MadeUser> = {};
const W = 96;
const H = 64;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  users.manager = await makeUser(env.deps.db, { role: 'manager' });
  users.annA = await makeUser(env.deps.db, { role: 'annotator' });
  users.annB = await makeUser(env.deps.db, { role: 'annotator' });
  users.annC = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (
    await makeProject(env.deps.db, {
      createdBy: users.manager,
      members: ['annA', 'annB', 'annC'].map((k) => ({ user: users[k]!, role: 'annotator' as const })),
    })
  ).id;
  await addSyntheticImages(env.deps, users.manager, { projectId, seeds: [1, 2, 3], width: W, height: H });
  for (const [key, user] of Object.entries(users)) cookies[key] = await loginCookie(api.url, user.email, user.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

type Task = { id: string; status: string; image: { id: number } };
const next = (who: string) => trpcMutation<Task | null>(api.url, 'tasks.next', { projectId }, cookies[who]);
const taskRow = (id: string) => env.deps.db.task.findUniqueOrThrow({ where: { id: BigInt(id) } });

function squareMask(): { size: [number, number]; counts: string } {
  const data = new Uint8Array(W * H);
  for (let y = 10; y < 30; y++) data.fill(1, y * W + 10, y * W + 40);
  return compressRle(encodeMask({ width: W, height: H, data })) as { size: [number, number]; counts: string };
}

describe('skip', () => {
  it('needs a reason, returns the image to the pool for others, records who skipped and why, and never gives it back to the same annotator', async () => {
    const a = (await next('annA')).data!;
    const noReason = await trpcMutation(api.url, 'tasks.skip', { taskId: a.id, reason: '   ' }, cookies['annA']);
    expect(noReason.status).toBe(400);

    const skipped = await trpcMutation<{ task: Task; setAside: boolean }>(api.url, 'tasks.skip', { taskId: a.id, reason: 'too blurry to tell the objects apart' }, cookies['annA']);
    expect(skipped.status).toBe(200);
    expect(skipped.data!.setAside).toBe(false);
    expect(skipped.data!.task.status).toBe('open');
    expect(await env.deps.db.taskSkip.findMany({ where: { taskId: BigInt(a.id) }, select: { userId: true, reason: true } })).toEqual([{ userId: users.annA!.id, reason: 'too blurry to tell the objects apart' }]);

    // A gets the other images, never the skipped one (it was first in the queue)
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const t = (await next('annA')).data;
      if (!t) break;
      seen.push(t.id);
      await trpcMutation(api.url, 'tasks.release', { taskId: t.id }, cookies['annA']);
      await env.deps.db.task.update({ where: { id: BigInt(t.id) }, data: { status: 'submitted', assigneeId: users.annC!.id } }); // out of the way
    }
    expect(seen).not.toContain(a.id);
    expect(seen.length).toBeGreaterThan(0);
    // …and the peek that prefetches never points at it either
    expect((await trpcQuery<{ id: number } | null>(api.url, 'tasks.peekNext', { projectId }, cookies['annA'])).data).toBeNull();
    expect((await next('annA')).data).toBeNull();

    // B still gets it
    const b = (await next('annB')).data!;
    expect(b.id).toBe(a.id);
  });

  it('a second annotator skipping it sets the image aside for a manager: out of everyone\'s queue', async () => {
    const held = (await next('annB')).data!;
    const skipped = await trpcMutation<{ task: Task; setAside: boolean }>(api.url, 'tasks.skip', { taskId: held.id, reason: 'not a scene of this project' }, cookies['annB']);
    expect(skipped.data!.setAside).toBe(true);
    expect((await taskRow(held.id)).status).toBe('skipped');
    expect((await next('annC')).data?.id).not.toBe(held.id);
  });

  it('a manager sees the set-aside image with who skipped it and why, and puts it back for the others', async () => {
    type SetAside = { taskId: string; imageId: number; skips: { annotator: string; reason: string }[] };
    const list = await trpcQuery<SetAside[]>(api.url, 'tasks.setAside', { projectId }, cookies['manager']);
    expect(list.status).toBe(200);
    expect(list.data).toHaveLength(1);
    expect(list.data![0]!.skips.map((x) => [x.annotator, x.reason])).toEqual([
      [users.annA!.name, 'too blurry to tell the objects apart'],
      [users.annB!.name, 'not a scene of this project'],
    ]);
    expect((await trpcQuery(api.url, 'tasks.setAside', { projectId }, cookies['annC'])).status).toBe(403);
    expect((await trpcMutation(api.url, 'tasks.returnSetAside', { taskId: list.data![0]!.taskId }, cookies['annC'])).status).toBe(403);

    const back = await trpcMutation<Task>(api.url, 'tasks.returnSetAside', { taskId: list.data![0]!.taskId }, cookies['manager']);
    expect(back.status).toBe(200);
    expect(back.data!.status).toBe('open');
    expect((await trpcMutation(api.url, 'tasks.returnSetAside', { taskId: list.data![0]!.taskId }, cookies['manager'])).status).toBe(409);
    // those who skipped it still never get it; the third annotator does
    expect((await next('annA')).data).toBeNull();
    expect((await next('annB')).data?.id).not.toBe(list.data![0]!.taskId);
    expect((await next('annC')).data!.id).toBe(list.data![0]!.taskId);
  });

  it('only the holder may skip', async () => {
    await env.deps.db.task.updateMany({ where: { projectId }, data: { status: 'open', assigneeId: null } });
    await env.deps.db.taskSkip.deleteMany({});
    const a = (await next('annA')).data!;
    const byB = await trpcMutation(api.url, 'tasks.skip', { taskId: a.id, reason: 'x' }, cookies['annB']);
    expect(byB.status).toBe(409);
    expect((await taskRow(a.id)).assigneeId).toBe(users.annA!.id);
    await trpcMutation(api.url, 'tasks.release', { taskId: a.id }, cookies['annA']);
  });
});

describe('submit without masks', () => {
  it('is refused with a question unless the annotator confirmed there is nothing to annotate; with a mask it goes through', async () => {
    const t = (await next('annA')).data!;
    const refused = await trpcMutation(api.url, 'tasks.submit', { taskId: t.id, activeMs: 1000 }, cookies['annA']);
    expect(refused.status).toBe(409);
    expect(refused.error?.message).toMatch(/no masks; confirm that it shows no objects/);
    expect((await taskRow(t.id)).status).toBe('leased');

    const confirmed = await trpcMutation<Task>(api.url, 'tasks.submit', { taskId: t.id, activeMs: 1000, emptyConfirmed: true }, cookies['annA']);
    expect(confirmed.status).toBe(200);
    expect(confirmed.data!.status).toBe('submitted');

    const u = (await next('annA')).data!;
    expect((await trpcMutation(api.url, 'masks.save', { imageId: u.image.id, segmentation: squareMask(), activeMs: 500, clicks: 1 }, cookies['annA'])).status).toBe(200);
    const withMask = await trpcMutation<Task>(api.url, 'tasks.submit', { taskId: u.id, activeMs: 2000 }, cookies['annA']);
    expect(withMask.status).toBe(200);
    expect(withMask.data!.status).toBe('submitted');
  });
});

describe('previous image', () => {
  const done = () => env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'assisted_manual' } } }).then((c) => c.imagesDone);

  it('re-opens the image you submitted last, leased to you again, and not counted done until submitted again', async () => {
    const last = await env.deps.db.task.findFirstOrThrow({ where: { projectId, assigneeId: users.annA!.id, status: 'submitted' }, orderBy: { submittedAt: 'desc' } });
    const held = (await next('annA')).data!; // A is on a new image
    const before = await done();
    expect((await trpcQuery<{ available: boolean }>(api.url, 'tasks.hasPrevious', { projectId }, cookies['annA'])).data).toEqual({ available: true });

    const prev = await trpcMutation<Task | null>(api.url, 'tasks.previous', { projectId }, cookies['annA']);
    expect(prev.status).toBe(200);
    expect(prev.data!.id).toBe(last.id.toString());
    expect(prev.data!.status).toBe('leased');
    expect(await done()).toBe(before - 1);
    // the image A was on goes back to the queue (one image at a time)
    expect((await taskRow(held.id)).status).toBe('open');
    // its masks are there to fix, and it can be submitted again
    expect((await trpcQuery<unknown[]>(api.url, 'masks.list', { imageId: prev.data!.image.id }, cookies['annA'])).data).toHaveLength(1);
    expect((await trpcMutation<Task>(api.url, 'tasks.submit', { taskId: prev.data!.id, activeMs: 300 }, cookies['annA'])).data!.status).toBe('submitted');
    expect(await done()).toBe(before);
  });

  it('never re-opens someone else\'s image, and says when there is nothing to go back to', async () => {
    expect((await trpcQuery<{ available: boolean }>(api.url, 'tasks.hasPrevious', { projectId }, cookies['annB'])).data).toEqual({ available: false });
    const none = await trpcMutation<Task | null>(api.url, 'tasks.previous', { projectId }, cookies['annB']);
    expect(none.status).toBe(200);
    expect(none.data).toBeNull();
    const outsider = await makeUser(env.deps.db, { role: 'annotator' });
    const cookie = await loginCookie(api.url, outsider.email, outsider.password);
    expect((await trpcMutation(api.url, 'tasks.previous', { projectId }, cookie)).status).toBe(403);
  });
});

describe('skip of an image a review returned', () => {
  it('frees it for the other annotators instead of keeping it reserved for the one who skipped it', async () => {
    const own = (
      await makeProject(env.deps.db, {
        createdBy: users.manager!,
        members: ['annA', 'annB'].map((k) => ({ user: users[k]!, role: 'annotator' as const })),
      })
    ).id;
    await addSyntheticImages(env.deps, users.manager!, { projectId: own, seeds: [7], width: W, height: H });
    const ownNext = (who: string) => trpcMutation<Task | null>(api.url, 'tasks.next', { projectId: own }, cookies[who]);
    // as a rejection in review leaves it: open, reserved for A
    const task = await env.deps.db.task.findFirstOrThrow({ where: { projectId: own } });
    await env.deps.db.task.update({ where: { id: task.id }, data: { reservedForId: users.annA!.id } });
    expect((await ownNext('annB')).data).toBeNull();
    const held = (await ownNext('annA')).data!;
    expect(held.id).toBe(task.id.toString());
    const skipped = await trpcMutation(api.url, 'tasks.skip', { taskId: held.id, reason: 'I cannot fix what the reviewer asked for' }, cookies['annA']);
    expect(skipped.status).toBe(200);
    expect((await taskRow(held.id)).reservedForId).toBeNull();
    expect((await ownNext('annB')).data?.id).toBe(held.id);
  });
});
