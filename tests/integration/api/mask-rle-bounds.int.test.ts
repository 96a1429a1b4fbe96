// Masks are stored canonical (no empty runs but the leading one) and bounded: a padded or oversized
// RLE is refused with a 4xx that says why, before it is decoded, without holding up other requests.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestImage, uploadImage } from '@dataengine/engine';
import { compressRle, decodeRle, encodeMask, rleFromString, rleToString } from '@dataengine/segment';
import { createTestEnv, loginCookie, makeProject, makeUser, startTestApi, syntheticImageBytes, trpcMutation, type TestEnv } from '@dataengine/testing';

const SIZE = { width: 64, height: 48 };
const MAX_RLE_BYTES = 50_000;
let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let cookie: string;
let imageId: number;

/** A 20×24 rectangle, canonical. */
function rectangle() {
  const data = new Uint8Array(SIZE.width * SIZE.height);
  for (let y = 10; y < 30; y++) data.fill(1, y * SIZE.width + 8, y * SIZE.width + 32);
  return encodeMask({ ...SIZE, data });
}

/** The rectangle's runs with `pairs` empty runs inserted after the first one (same pixels). */
function padded(pairs: number) {
  const { size, counts } = rectangle();
  const out = [counts[0]!, ...new Array<number>(2 * pairs).fill(0), ...counts.slice(1)];
  return { size, counts: rleToString(out) };
}

beforeAll(async () => {
  env = await createTestEnv({ MASK_MAX_RLE_BYTES: String(MAX_RLE_BYTES) });
  api = await startTestApi(env.deps);
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  const projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  const { image } = await uploadImage(env.deps, manager, { projectId, fileName: 'a.png', body: Readable.from([await syntheticImageBytes({ seed: 3, ...SIZE, format: 'png' })]) });
  await ingestImage(env.deps, { imageId: image.id });
  imageId = image.id;
  cookie = await loginCookie(api.url, annotator.email, annotator.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const save = (segmentation: unknown) => trpcMutation<{ id: string; area: number; bbox: number[]; segmentation: { counts: string } }>(api.url, 'masks.save', { imageId, segmentation, activeMs: 1_000, clicks: 1 }, cookie);

describe('masks are stored canonical', () => {
  it('merges empty runs inside the list: the stored string is the canonical one of the same pixels', async () => {
    const canonical = compressRle(rectangle());
    const withEmptyRuns = padded(3);
    expect(withEmptyRuns.counts).not.toBe(canonical.counts);
    const res = await save(withEmptyRuns);
    expect(res.status).toBe(200);
    expect(res.data!.segmentation.counts).toBe(canonical.counts);
    expect(res.data!.area).toBe(20 * 24);
    expect(res.data!.bbox).toEqual([8, 10, 23, 19]);
    const row = await env.deps.db.mask.findUniqueOrThrow({ where: { id: BigInt(res.data!.id) } });
    expect(row.rleCounts).toBe(canonical.counts);
    expect(rleFromString(row.rleCounts).slice(1)).not.toContain(0);
    expect(decodeRle({ size: [SIZE.height, SIZE.width], counts: row.rleCounts }).data).toEqual(decodeRle(withEmptyRuns).data);
  });

  it('keeps the leading empty run of a mask whose first pixel is foreground', async () => {
    const data = new Uint8Array(SIZE.width * SIZE.height);
    data.fill(1, 0, 5);
    const rle = compressRle(encodeMask({ ...SIZE, data }));
    expect(rleFromString(rle.counts)[0]).toBe(0);
    const res = await save(rle);
    expect(res.status).toBe(200);
    expect(res.data!.segmentation.counts).toBe(rle.counts);
  });

  it('re-encodes a string that writes the same runs with needless groups', async () => {
    // the first value with its last group continued into an extra zero group: pycocotools reads the same number
    const canonical = compressRle(rectangle());
    const first = rleToString([rleFromString(canonical.counts)[0]!]);
    const overLong = `${first.slice(0, -1)}${String.fromCharCode(first.charCodeAt(first.length - 1) + 32)}0`;
    expect(rleFromString(overLong)).toEqual(rleFromString(first));
    const res = await save({ size: canonical.size, counts: overLong + canonical.counts.slice(first.length) });
    expect(res.status).toBe(200);
    expect(res.data!.segmentation.counts).toBe(canonical.counts);
  });
});

describe('an RLE beyond what the image can have is refused before it is decoded', () => {
  it('more runs than pixels (padded with empty runs): 400 saying so', async () => {
    const res = await save(padded(SIZE.width * SIZE.height));
    expect(res.status).toBe(400);
    expect(res.error!.message).toMatch(/runs but a 64×48 image has only 3072 pixels.*padded/);
    expect(await env.deps.db.mask.count({ where: { imageId, area: 0 } })).toBe(0);
  });

  it('a string longer than any RLE of the image can be: 400, without decoding', async () => {
    const res = await save({ size: [SIZE.height, SIZE.width], counts: '0'.repeat(7 * (SIZE.width * SIZE.height + 1) + 1) });
    expect(res.status).toBe(400);
    expect(res.error!.message).toMatch(/longer than any mask of a 64×48 image can be/);
  });

  it('a string over MASK_MAX_RLE_BYTES: 413 naming the limit, also for edits', async () => {
    const big = { size: [4000, 4000], counts: '0'.repeat(MAX_RLE_BYTES + 1) };
    const res = await save(big);
    // the image is 64×48: the size is checked first
    expect(res.status).toBe(400);
    const huge = { size: [SIZE.height, SIZE.width], counts: '0'.repeat(MAX_RLE_BYTES + 1) };
    const tooLong = await save(huge);
    expect(tooLong.status).toBe(413);
    expect(tooLong.error!.message).toMatch(new RegExp(`${MAX_RLE_BYTES + 1} characters; at most ${MAX_RLE_BYTES} are accepted \\(MASK_MAX_RLE_BYTES\\)`));
    const saved = await save(compressRle(rectangle()));
    const edit = await trpcMutation(api.url, 'masks.update', { maskId: saved.data!.id, version: 1, segmentation: huge, activeMs: 1, clicks: 1 }, cookie);
    expect(edit.status).toBe(413);
    const paddedEdit = await trpcMutation(api.url, 'masks.update', { maskId: saved.data!.id, version: 1, segmentation: padded(SIZE.width * SIZE.height), activeMs: 1, clicks: 1 }, cookie);
    expect(paddedEdit.status).toBe(400);
  });
});
