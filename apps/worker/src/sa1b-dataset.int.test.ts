// The dataset snapshot writer (SA-1B layout) over real rows and blobs: which masks it takes,
// the per-image JSON (SAM-SPEC.md §5), JPEG conversion at the displayed size, the split, the id.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@dataengine/contracts';
import { deleteMask, ingestImage, measureSegmentation, saveMask, uploadImage, writeSa1bDataset } from '@dataengine/engine';
import { compressRle, encodeMask, rleArea, type Sa1bImageJson } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import { createTestEnv, makeProject, makeUser, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let tmp: string;
let manager: MadeUser;
let annotator: MadeUser;
let projectId: string;
const ids: Record<'png' | 'jpeg' | 'unreviewed' | 'rotated', number> = { png: 0, jpeg: 0, unreviewed: 0, rotated: 0 };
const masks: Record<string, bigint> = {};

const W = 96;
const H = 72;
const scene = (seed: number, width = W, height = H) => generateScene({ seed, width, height, objectCount: [2, 3], hierarchyProbability: 0 });
const raw = (s: ReturnType<typeof scene>) => sharp(Buffer.from(s.rgb), { raw: { width: s.width, height: s.height, channels: 3 } });
const rle = (s: ReturnType<typeof scene>, i: number) => compressRle(encodeMask(s.instances[i]!.mask));

async function upload(name: string, bytes: Buffer, split: 'train' | 'val' = 'train'): Promise<number> {
  const { image } = await uploadImage(env.deps, manager, { projectId, fileName: name, body: Readable.from([bytes]), split });
  await ingestImage(env.deps, { imageId: image.id });
  return image.id;
}

async function prefillMask(imageId: number, s: ReturnType<typeof scene>, i: number): Promise<bigint> {
  const measured = measureSegmentation(rle(s, i), { width: s.width, height: s.height });
  const row = await env.deps.db.mask.create({
    data: { ...measured, projectId, imageId, stage: 'semi_automatic', provenance: 'prefill', predictedIou: 0.9375, stabilityScore: 0.96875, pointCoords: [[10.5, 20.25]], cropBox: [0, 0, s.width, s.height] },
  });
  return row.id;
}

beforeAll(async () => {
  env = await createTestEnv();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sa1b-dataset-'));
  manager = await makeUser(env.deps.db, { role: 'manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;

  const a = scene(1);
  ids.png = await upload('a.png', await raw(a).png().toBuffer());
  masks.kept = BigInt((await saveMask(env.deps, annotator, { imageId: ids.png, segmentation: rle(a, 0), activeMs: 900, clicks: 3 })).id);
  const gone = await saveMask(env.deps, annotator, { imageId: ids.png, segmentation: rle(a, 1), activeMs: 900, clicks: 3 });
  await deleteMask(env.deps, annotator, { maskId: gone.id, version: gone.version });

  // a JPEG held out by its uploader, with a reviewed prefill mask (its task was submitted)
  const b = scene(2);
  ids.jpeg = await upload('b.jpg', await raw(b).jpeg({ quality: 90 }).toBuffer(), 'val');
  masks.manualB = BigInt((await saveMask(env.deps, annotator, { imageId: ids.jpeg, segmentation: rle(b, 0), activeMs: 500, clicks: 1 })).id);
  masks.prefillB = await prefillMask(ids.jpeg, b, 1);
  await env.deps.db.task.updateMany({ where: { imageId: ids.jpeg }, data: { status: 'submitted' } });

  // model output nobody reviewed yet
  const c = scene(3);
  ids.unreviewed = await upload('c.png', await raw(c).png().toBuffer());
  masks.prefillC = await prefillMask(ids.unreviewed, c, 0);

  // stored 72 wide × 96 high with EXIF orientation 6: displayed (and ingested) as 96 × 72
  const d = scene(4, H, W);
  ids.rotated = await upload('d.jpg', await raw(d).jpeg().withMetadata({ orientation: 6 }).toBuffer());
});
afterAll(async () => {
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

const readJson = async <T>(dir: string, name: string) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as T;

describe('writeSa1bDataset', () => {
  it('writes the accepted masks in the SA-1B layout, split by image, snapshot.json last', async () => {
    const dir = path.join(tmp, 'accepted');
    const progress: number[] = [];
    const manifest = await writeSa1bDataset(env.deps, { projectId, dir, valFraction: 0.5, seed: 7, includeImages: true, onProgress: (n) => progress.push(n) });
    // manual masks (not the deleted one), prefill masks only where the task was submitted
    expect(manifest.counts).toEqual({ images: 2, annotations: 3, train: 1, val: 1, byProvenance: { manual: 2, prefill: 1, auto: 0 } });
    expect(progress).toEqual([1, 2]);
    expect(manifest.id).toMatch(/^sha256:[0-9a-f]{16}$/);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([`sa_${ids.png}.jpg`, `sa_${ids.png}.json`, `sa_${ids.jpeg}.jpg`, `sa_${ids.jpeg}.json`, 'sa_images_ids.txt', 'snapshot.json', 'split.json'].sort());
    const mtime = async (f: string) => (await stat(path.join(dir, f))).mtimeMs;
    for (const f of files) expect(await mtime('snapshot.json')).toBeGreaterThanOrEqual(await mtime(f));
    expect(await readJson(dir, 'split.json')).toEqual({ train: [ids.png], val: [ids.jpeg] }); // the uploaded val image is held out
    expect(await readJson(dir, 'snapshot.json')).toMatchObject({ id: manifest.id, format: 'sa1b', selection: 'accepted', counts: manifest.counts });

    const a = await readJson<Sa1bImageJson>(dir, `sa_${ids.png}.json`);
    const stored = await env.deps.db.mask.findUniqueOrThrow({ where: { id: masks.kept! } });
    expect(a.image).toEqual({ image_id: ids.png, width: W, height: H, file_name: `sa_${ids.png}.jpg` });
    expect(a.annotations).toHaveLength(1);
    expect(a.annotations[0]).toMatchObject({
      id: Number(masks.kept),
      segmentation: { size: [H, W], counts: stored.rleCounts },
      bbox: [stored.bboxX, stored.bboxY, stored.bboxW, stored.bboxH],
      area: stored.area,
      provenance: 'manual',
    });
    expect(rleArea(a.annotations[0]!.segmentation)).toBe(stored.area);

    const b = await readJson<Sa1bImageJson>(dir, `sa_${ids.jpeg}.json`);
    expect(b.annotations.map((x) => x.id)).toEqual([Number(masks.manualB), Number(masks.prefillB)]);
    expect(b.annotations[1]).toMatchObject({ predicted_iou: 0.9375, stability_score: 0.96875, point_coords: [[10.5, 20.25]], crop_box: [0, 0, W, H], provenance: 'prefill' });
    expect(Object.keys(b.annotations[1]!).slice(0, 8)).toEqual(['id', 'segmentation', 'bbox', 'area', 'predicted_iou', 'stability_score', 'crop_box', 'point_coords']);

    // PNG → JPEG at its size; a JPEG original is used byte for byte
    const png = await sharp(path.join(dir, `sa_${ids.png}.jpg`)).metadata();
    expect([png.format, png.width, png.height]).toEqual(['jpeg', W, H]);
    const original = await env.deps.db.image.findUniqueOrThrow({ where: { id: ids.jpeg } });
    expect((await readFile(path.join(dir, `sa_${ids.jpeg}.jpg`))).equals(await env.deps.blobs.get(original.blobKey))).toBe(true);

    // the same data gives the same id
    const again = await writeSa1bDataset(env.deps, { projectId, dir: path.join(tmp, 'again'), valFraction: 0.5, seed: 7, includeImages: false });
    expect(again.id).toBe(manifest.id);
    expect(await readdir(path.join(tmp, 'again'))).not.toContain(`sa_${ids.png}.jpg`);
  });

  it('with provenance: every mask of those kinds; with imageIds: exactly those images (rotated JPEGs upright)', async () => {
    const dir = path.join(tmp, 'prefill');
    const manifest = await writeSa1bDataset(env.deps, { projectId, dir, provenance: ['prefill'], valFraction: 0, seed: 0, includeImages: false });
    // valFraction 0 draws nothing more into val; the image uploaded as val stays there
    expect(manifest.counts).toMatchObject({ images: 2, annotations: 2, train: 1, val: 1, byProvenance: { manual: 0, prefill: 2, auto: 0 } });
    expect((await readJson<Sa1bImageJson>(dir, `sa_${ids.unreviewed}.json`)).annotations.map((x) => x.id)).toEqual([Number(masks.prefillC)]);

    const picked = path.join(tmp, 'picked');
    const selection = await writeSa1bDataset(env.deps, { projectId, imageIds: [ids.rotated], dir: picked, valFraction: 0, seed: 0, includeImages: true });
    expect(selection.counts).toMatchObject({ images: 1, annotations: 0 });
    const rotated = await sharp(path.join(picked, `sa_${ids.rotated}.jpg`)).metadata();
    expect([rotated.width, rotated.height, rotated.orientation ?? 1]).toEqual([W, H, 1]);
  });

  it('refuses images of another project and a directory that is not empty', async () => {
    const other = await writeSa1bDataset(env.deps, { projectId, imageIds: [ids.png, 999_999], dir: path.join(tmp, 'x'), valFraction: 0, seed: 0, includeImages: false }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(AppError);
    expect((other as AppError).message).toBe('image(s) 999999 are not in this project');
    const used = await writeSa1bDataset(env.deps, { projectId, dir: path.join(tmp, 'accepted'), valFraction: 0, seed: 0, includeImages: false }).catch((e: unknown) => e);
    expect((used as AppError).code).toBe('CONFLICT');
  });
});
