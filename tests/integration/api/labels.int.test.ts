// Labels over the real API: a project's managers define its label set (names unique regardless of
// case, colours, order), everyone who sees the project reads it, masks carry a label of their own
// project only, and a label that masks carry is not deleted until the caller says what becomes of
// them. A project without labels keeps saving unlabelled masks as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelDto, MaskDto } from '@dataengine/contracts';
import { compressRle, encodeMask, type BinaryMask } from '@dataengine/segment';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startTestApi, trpcMutation, trpcQuery, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let projectId: string;
let otherProjectId: string;
let imageId: number;
const users: Record<'manager' | 'annA' | 'annB' | 'ops' | 'admin', MadeUser> = {} as never;
const cookies: Record<string, string> = {};
const SIZE = { width: 64, height: 48 };

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
  users.ops = await makeUser(env.deps.db, { role: 'ops' });
  users.admin = await makeUser(env.deps.db, { role: 'admin' });
  const members = [
    { user: users.annA, role: 'annotator' as const },
    { user: users.annB, role: 'annotator' as const },
  ];
  projectId = (await makeProject(env.deps.db, { createdBy: users.manager, members })).id;
  otherProjectId = (await makeProject(env.deps.db, { createdBy: users.manager, members })).id;
  await addSyntheticImages(env.deps, users.manager, { projectId, seeds: [1], ...SIZE });
  await addSyntheticImages(env.deps, users.manager, { projectId: otherProjectId, seeds: [2], ...SIZE });
  imageId = (await env.deps.db.image.findFirstOrThrow({ where: { projectId } })).id;
  for (const [key, user] of Object.entries(users)) cookies[key] = await loginCookie(api.url, user.email, user.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const create = (who: string, name: string, extra: Record<string, unknown> = {}, project = projectId) => trpcMutation<LabelDto>(api.url, 'labels.create', { projectId: project, name, ...extra }, cookies[who]);
const list = async (who = 'annA', project = projectId, withCounts = false) => {
  const res = await trpcQuery<LabelDto[]>(api.url, 'labels.list', { projectId: project, withCounts }, cookies[who]);
  expect(res.status, res.error?.message).toBe(200);
  return res.data!;
};
const save = (who: string, x: number, labelId?: string | null) =>
  trpcMutation<MaskDto>(api.url, 'masks.save', { imageId, segmentation: rle(x), activeMs: 1000, clicks: 1, ...(labelId !== undefined ? { labelId } : {}) }, cookies[who]);

describe('a class-agnostic project', () => {
  it('has no labels and keeps saving unlabelled masks', async () => {
    expect(await list()).toEqual([]);
    const saved = await save('annA', 2);
    expect(saved.status).toBe(200);
    expect(saved.data).toMatchObject({ labelId: null, label: null });
    const masks = await trpcQuery<MaskDto[]>(api.url, 'masks.list', { imageId }, cookies['annA']);
    expect(masks.data!.map((m) => m.labelId)).toEqual([null]);
  });
});

describe('the label set', () => {
  let person: LabelDto;
  let car: LabelDto;
  let tree: LabelDto;

  it('is defined by the project manager: names trimmed, colours from a palette unless given, in order', async () => {
    const a = await create('manager', '  person ');
    expect(a.status, a.error?.message).toBe(200);
    person = a.data!;
    car = (await create('manager', 'car', { color: '#0F0' })).data!;
    tree = (await create('admin', 'tree')).data!;
    expect([person.name, person.position, person.color]).toEqual(['person', 0, '#e6194b']);
    expect([car.name, car.position, car.color]).toEqual(['car', 1, '#00ff00']);
    expect([tree.position, tree.color]).toEqual([2, '#3cb44b']); // the palette's next unused colour
    expect((await list('annA')).map((l) => l.name)).toEqual(['person', 'car', 'tree']);
    expect((await list('ops')).map((l) => l.name)).toEqual(['person', 'car', 'tree']);
  });

  it('refuses a name the project already has (regardless of case), and bad names or colours', async () => {
    const clash = await create('manager', 'Car');
    expect(clash.status).toBe(409);
    expect(clash.error?.message).toBe('the project already has a label called "car" (names are unique regardless of case); choose another name');
    // another project may have its own "car"
    expect((await create('manager', 'car', {}, otherProjectId)).status).toBe(200);
    expect((await create('manager', '   ')).status).toBe(400);
    expect((await create('manager', 'two\nlines')).error?.message).toMatch(/control characters/);
    expect((await create('manager', 'sky', { color: 'blue' })).error?.message).toMatch(/#rrggbb/);
    const rename = await trpcMutation(api.url, 'labels.update', { labelId: tree.id, name: 'PERSON' }, cookies['manager']);
    expect(rename.status).toBe(409);
  });

  it('is changed only by its managers and admins: annotators and ops are refused', async () => {
    for (const who of ['annA', 'ops']) {
      const res = await create(who, 'dog');
      expect(res.status, who).toBe(403);
      expect(res.error?.message, who).toMatch(/^changing this project's labels(: you are not a member| needs the manager role in this project or the admin role)/);
      expect((await trpcMutation(api.url, 'labels.update', { labelId: car.id, color: '#000000' }, cookies[who])).status).toBe(403);
      expect((await trpcMutation(api.url, 'labels.delete', { labelId: car.id }, cookies[who])).status).toBe(403);
      expect((await trpcMutation(api.url, 'labels.reorder', { projectId, labelIds: [car.id, person.id, tree.id] }, cookies[who])).status).toBe(403);
    }
    expect((await list()).map((l) => [l.name, l.color])).toEqual([
      ['person', '#e6194b'],
      ['car', '#00ff00'],
      ['tree', '#3cb44b'],
    ]);
  });

  it('is renamed, recoloured and reordered (every label once)', async () => {
    const renamed = await trpcMutation<LabelDto>(api.url, 'labels.update', { labelId: tree.id, name: 'Tree', color: '#123ABC' }, cookies['manager']);
    expect(renamed.data).toMatchObject({ name: 'Tree', color: '#123abc' });
    const partial = await trpcMutation(api.url, 'labels.reorder', { projectId, labelIds: [car.id, person.id] }, cookies['manager']);
    expect(partial.status).toBe(400);
    expect(partial.error?.message).toMatch(/lists every label of the project exactly once \(it has 3\)/);
    const foreign = (await list('manager', otherProjectId))[0]!;
    expect((await trpcMutation(api.url, 'labels.reorder', { projectId, labelIds: [car.id, person.id, foreign.id] }, cookies['manager'])).status).toBe(400);
    const reordered = await trpcMutation<LabelDto[]>(api.url, 'labels.reorder', { projectId, labelIds: [tree.id, person.id, car.id] }, cookies['manager']);
    expect(reordered.status).toBe(200);
    expect(reordered.data!.map((l) => [l.name, l.position])).toEqual([
      ['Tree', 0],
      ['person', 1],
      ['car', 2],
    ]);
  });

  it('labels masks of its own project only; a foreign or unknown label is a 400 that says so', async () => {
    const labelled = await save('annA', 14, car.id);
    expect(labelled.status, labelled.error?.message).toBe(200);
    expect(labelled.data).toMatchObject({ labelId: car.id, label: { id: car.id, name: 'car', color: '#00ff00' } });

    const foreign = (await list('manager', otherProjectId))[0]!;
    const before = await env.deps.db.mask.count({ where: { imageId } });
    for (const labelId of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
      const refused = await save('annA', 30, labelId);
      expect(refused.status).toBe(400);
      expect(refused.error?.message).toBe(`label ${labelId} is not a label of this mask's project (it may have been deleted); pick one of the project's labels`);
    }
    expect(await env.deps.db.mask.count({ where: { imageId } })).toBe(before);

    // the list carries the label beside each mask
    const masks = await trpcQuery<MaskDto[]>(api.url, 'masks.list', { imageId }, cookies['annB']);
    expect(masks.data!.find((m) => m.id === labelled.data!.id)?.label).toEqual({ id: car.id, name: 'car', color: '#00ff00' });

    // a touch-up may change the label too; a foreign one is refused there as well
    const edit = (labelId: string | null | undefined) =>
      trpcMutation<MaskDto>(api.url, 'masks.update', { maskId: labelled.data!.id, version: labelled.data!.version, segmentation: rle(16), activeMs: 10, clicks: 1, ...(labelId !== undefined ? { labelId } : {}) }, cookies['annA']);
    expect((await edit(foreign.id)).status).toBe(400);
    const kept = await edit(undefined);
    expect(kept.data).toMatchObject({ labelId: car.id, version: labelled.data!.version + 1 });
  });

  it("sets a mask's label alone without a new version; only those who may edit the mask", async () => {
    const mine = (await save('annA', 40, person.id)).data!;
    const setLabel = (who: string, labelId: string | null) => trpcMutation<MaskDto>(api.url, 'masks.setLabel', { maskId: mine.id, labelId }, cookies[who]);
    const changed = await setLabel('annA', tree.id);
    expect(changed.data).toMatchObject({ labelId: tree.id, version: mine.version, label: { name: 'Tree' } });
    const refused = await setLabel('annB', car.id);
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toMatch(/drawn by another annotator/);
    expect((await setLabel('manager', null)).data).toMatchObject({ labelId: null, label: null });
    const foreign = (await list('manager', otherProjectId))[0]!;
    expect((await setLabel('annA', foreign.id)).status).toBe(400);
    expect((await env.deps.db.mask.findUniqueOrThrow({ where: { id: BigInt(mine.id) } })).labelId).toBeNull();
  });

  it('is not deleted while masks carry a label unless the caller says where they go', async () => {
    const carMasks = await env.deps.db.mask.count({ where: { labelId: car.id, deletedAt: null } });
    expect(carMasks).toBeGreaterThan(0);
    expect((await list('manager', projectId, true)).find((l) => l.id === car.id)?.maskCount).toBe(carMasks);
    const refused = await trpcMutation(api.url, 'labels.delete', { labelId: car.id }, cookies['manager']);
    expect(refused.status).toBe(409);
    expect(refused.error?.message).toBe(`${carMasks === 1 ? '1 mask carries' : `${carMasks} masks carry`} the label "car"; confirm that they become unlabelled, or move them to another label, to delete it`);
    expect(await env.deps.db.label.count({ where: { id: car.id } })).toBe(1);

    // moved to another label of the project
    const foreign = (await list('manager', otherProjectId))[0]!;
    expect((await trpcMutation(api.url, 'labels.delete', { labelId: car.id, masksTo: { labelId: foreign.id } }, cookies['manager'])).status).toBe(400);
    const moved = await trpcMutation<{ masks: number; movedTo: string | null }>(api.url, 'labels.delete', { labelId: car.id, masksTo: { labelId: person.id } }, cookies['manager']);
    expect(moved.data).toEqual({ masks: carMasks, movedTo: person.id });
    expect(await env.deps.db.mask.count({ where: { labelId: person.id, deletedAt: null } })).toBeGreaterThanOrEqual(carMasks);
    expect((await list()).map((l) => [l.name, l.position])).toEqual([
      ['Tree', 0],
      ['person', 1],
    ]);

    // made unlabelled, on confirmation
    const personMasks = await env.deps.db.mask.count({ where: { labelId: person.id, deletedAt: null } });
    const cleared = await trpcMutation<{ masks: number }>(api.url, 'labels.delete', { labelId: person.id, masksTo: { labelId: null } }, cookies['manager']);
    expect(cleared.data).toMatchObject({ masks: personMasks, movedTo: null });
    expect(await env.deps.db.mask.count({ where: { projectId, deletedAt: null, labelId: null } })).toBeGreaterThanOrEqual(personMasks);
    expect((await list()).map((l) => [l.name, l.position])).toEqual([['Tree', 0]]);

    // a label no mask carries goes at once
    expect((await trpcMutation(api.url, 'labels.delete', { labelId: tree.id }, cookies['manager'])).data).toEqual({ masks: 0, movedTo: null });
    expect(await list()).toEqual([]);
  });
});
