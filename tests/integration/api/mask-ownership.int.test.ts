// Who may change or delete a mask, over the real API: an annotator their own masks, and the
// model's (pre-filled, automatic, imported: no author) on the image they hold — that is how they
// correct them; the project's managers any mask; nobody else. A refused edit changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressRle, encodeMask, type BinaryMask } from '@dataengine/segment';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startTestApi, trpcMutation, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let projectId: string;
const users: Record<'manager' | 'annA' | 'annB' | 'outsider', MadeUser> = {} as never;
const cookies: Record<string, string> = {};
let held: number; // the image annA holds
let other: number; // an image nobody holds
const SIZE = { width: 64, height: 48 };

type Mask = { id: string; version: number; authorId: string | null };

function square(x: number): BinaryMask {
  const data = new Uint8Array(SIZE.width * SIZE.height);
  for (let y = 5; y < 20; y++) for (let c = x; c < x + 10; c++) data[y * SIZE.width + c] = 1;
  return { ...SIZE, data };
}
const rle = (x: number) => compressRle(encodeMask(square(x)));

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  users.manager = await makeUser(env.deps.db, { role: 'manager' });
  users.annA = await makeUser(env.deps.db, { role: 'annotator' });
  users.annB = await makeUser(env.deps.db, { role: 'annotator' });
  users.outsider = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: users.manager, members: [{ user: users.annA, role: 'annotator' }, { user: users.annB, role: 'annotator' }] })).id;
  await addSyntheticImages(env.deps, users.manager, { projectId, seeds: [1, 2], ...SIZE });
  for (const [key, user] of Object.entries(users)) cookies[key] = await loginCookie(api.url, user.email, user.password);
  const task = await trpcMutation<{ image: { id: number } }>(api.url, 'tasks.next', { projectId }, cookies['annA']);
  held = task.data!.image.id;
  other = (await env.deps.db.image.findFirstOrThrow({ where: { projectId, id: { not: held } } })).id;
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const save = async (who: string, imageId: number, x: number) => {
  const res = await trpcMutation<Mask>(api.url, 'masks.save', { imageId, segmentation: rle(x), activeMs: 1000, clicks: 1 }, cookies[who]);
  expect(res.status).toBe(200);
  return res.data!;
};
/** A mask the model made (as prefill stores them: no author). */
const machineMask = async (imageId: number): Promise<Mask> => {
  const m = rle(30);
  const row = await env.deps.db.mask.create({
    data: { projectId, imageId, stage: 'assisted_manual', provenance: 'prefill', rleCounts: m.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, area: 150, bboxX: 30, bboxY: 5, bboxW: 10, bboxH: 15, predictedIou: 0.9 },
  });
  return { id: row.id.toString(), version: row.version, authorId: null };
};
const update = (who: string, mask: Mask) => trpcMutation<Mask>(api.url, 'masks.update', { maskId: mask.id, version: mask.version, segmentation: rle(40), activeMs: 500, clicks: 1 }, cookies[who]);
const remove = (who: string, mask: Mask) => trpcMutation(api.url, 'masks.delete', { maskId: mask.id, version: mask.version }, cookies[who]);
const row = (mask: Mask) => env.deps.db.mask.findUniqueOrThrow({ where: { id: BigInt(mask.id) } });

describe('an annotator', () => {
  it('changes and deletes their own masks', async () => {
    const mine = await save('annA', other, 2);
    const changed = await update('annA', mine);
    expect(changed.status).toBe(200);
    expect(changed.data!.version).toBe(mine.version + 1);
    expect((await remove('annA', changed.data!)).status).toBe(200);
    expect((await row(mine)).deletedAt).toBeInstanceOf(Date);
  });

  it("may not change or delete another annotator's mask — even on the image they hold — and nothing changes", async () => {
    const theirs = await save('annB', held, 2);
    const edit = await update('annA', theirs);
    expect(edit.status).toBe(403);
    expect(edit.error?.data.appCode).toBe('FORBIDDEN');
    expect(edit.error?.message).toBe("this mask was drawn by another annotator; only its author and the project's managers may change or delete it");
    expect((await remove('annA', theirs)).status).toBe(403);
    const after = await row(theirs);
    expect([after.version, after.deletedAt, after.bboxX]).toEqual([theirs.version, null, 2]);
  });

  it("corrects and deletes the model's masks on the image they hold", async () => {
    const prefilled = await machineMask(held);
    const fixed = await update('annA', prefilled);
    expect(fixed.status).toBe(200);
    expect((await row(prefilled)).bboxX).toBe(40);
    const another = await machineMask(held);
    expect((await remove('annA', another)).status).toBe(200);
    expect((await row(another)).deletedAt).toBeInstanceOf(Date);
  });

  it("may not touch the model's masks on an image they do not hold", async () => {
    const elsewhere = await machineMask(other);
    const res = await remove('annA', elsewhere);
    expect(res.status).toBe(403);
    expect(res.error?.message).toMatch(/^this mask was made by the model \(or imported\); annotators change such masks only on the image they hold/);
    // annB does not hold annA's image either
    const onHeld = await machineMask(held);
    expect((await update('annB', onHeld)).status).toBe(403);
    expect((await row(elsewhere)).deletedAt).toBeNull();
    expect((await row(onHeld)).version).toBe(onHeld.version);
  });
});

describe("the project's manager", () => {
  it('changes and deletes any mask of the project', async () => {
    const annBs = await save('annB', other, 12);
    const changed = await update('manager', annBs);
    expect(changed.status).toBe(200);
    expect((await remove('manager', changed.data!)).status).toBe(200);
    expect((await remove('manager', await machineMask(other))).status).toBe(200);
  });
});

describe('a non-member', () => {
  it('is refused without the project being named', async () => {
    const mask = await save('annA', held, 20);
    const res = await remove('outsider', mask);
    expect(res.status).toBe(403);
    expect(res.error?.message).toContain('you are not a member of this project');
    expect((await row(mask)).deletedAt).toBeNull();
  });
});
