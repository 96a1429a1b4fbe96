import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRle, parseCompressedRle } from '@dataengine/segment';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sa1bRecord, SceneTree } from '../sa1b/sa1b.types';
import { generateScene } from '../scene/generate-scene';
import { writeSa1bSnapshot } from './write-sa1b-snapshot';
import { writeSceneImage } from './write-scene-image';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'synth-snapshot-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const options = { count: 6, seed: 77, width: 160, height: 120, valFraction: 1 / 3 };

describe('writeSa1bSnapshot', () => {
  it('writes every per-image file, the id list, a covering split and the manifest; no temp files left', async () => {
    const dir = await tempDir();
    const manifest = await writeSa1bSnapshot({ dir, ...options });
    const files = (await readdir(dir)).sort();
    const expected = ['sa_images_ids.txt', 'snapshot.json', 'split.json'];
    for (let id = 1; id <= 6; id++) expected.push(`sa_${id}.jpg`, `sa_${id}.json`, `sa_${id}.tree.json`);
    expect(files).toEqual(expected.sort());

    expect(await readFile(join(dir, 'sa_images_ids.txt'), 'utf8')).toBe('1\n2\n3\n4\n5\n6\n');
    const split = JSON.parse(await readFile(join(dir, 'split.json'), 'utf8')) as { train: number[]; val: number[] };
    expect(split.val).toHaveLength(2);
    expect([...split.train, ...split.val].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);

    const onDisk = JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8')) as typeof manifest;
    expect(onDisk).toEqual(manifest);
    expect(manifest.counts.images).toBe(6);
    expect(manifest.counts.train + manifest.counts.val).toBe(6);

    let annotations = 0;
    const annotationIds = new Set<number>();
    for (let id = 1; id <= 6; id++) {
      const record = JSON.parse(await readFile(join(dir, `sa_${id}.json`), 'utf8')) as Sa1bRecord;
      const tree = JSON.parse(await readFile(join(dir, `sa_${id}.tree.json`), 'utf8')) as SceneTree;
      expect(record.image).toEqual({ image_id: id, width: 160, height: 120, file_name: `sa_${id}.jpg` });
      expect(tree.annotations.map((n) => n.id)).toEqual(record.annotations.map((a) => a.id));
      for (const ann of record.annotations) {
        expect(annotationIds.has(ann.id)).toBe(false);
        annotationIds.add(ann.id);
        expect(decodeRle(parseCompressedRle(ann.segmentation)).data.reduce((a, b) => a + b, 0)).toBe(ann.area);
      }
      annotations += record.annotations.length;
      const meta = await sharp(join(dir, `sa_${id}.jpg`)).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['jpeg', 160, 120, 3]);
    }
    expect(manifest.counts.annotations).toBe(annotations);
    const { whole, part, subpart } = manifest.counts.byLevel;
    expect(whole + part + subpart).toBe(annotations);
  });

  it('is byte-for-byte deterministic for the same seed and differs for another', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    await writeSa1bSnapshot({ dir: a, ...options });
    await writeSa1bSnapshot({ dir: b, ...options });
    await writeSa1bSnapshot({ dir: c, ...options, seed: 78 });
    for (const name of await readdir(a)) {
      expect((await readFile(join(a, name))).equals(await readFile(join(b, name))), name).toBe(true);
    }
    expect((await readFile(join(a, 'sa_1.jpg'))).equals(await readFile(join(c, 'sa_1.jpg')))).toBe(false);
  });
});

describe('writeSa1bSnapshot scene variant', () => {
  it("records the variant in snapshot.json's sceneOptions: 'classic' by default, 'studio' when asked", async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const small = { count: 2, seed: 5, width: 96, height: 72 };
    const classic = await writeSa1bSnapshot({ dir: a, ...small });
    const studio = await writeSa1bSnapshot({ dir: b, ...small, sceneOptions: { variant: 'studio' } });
    expect(classic.sceneOptions.variant).toBe('classic');
    const onDisk = JSON.parse(await readFile(join(b, 'snapshot.json'), 'utf8')) as typeof studio;
    expect(onDisk.sceneOptions.variant).toBe('studio');
    expect(onDisk.sceneOptions.objectCount).toEqual([12, 22]);
    expect((await readFile(join(a, 'sa_1.jpg'))).equals(await readFile(join(b, 'sa_1.jpg')))).toBe(false);
  });
});

describe('writeSceneImage', () => {
  it('writes PNG losslessly and JPEG at the scene size', async () => {
    const dir = await tempDir();
    const scene = generateScene({ seed: 3, width: 64, height: 48 });
    await writeSceneImage(scene, join(dir, 'x.png'), 'png');
    await writeSceneImage(scene, join(dir, 'x.jpg'), 'jpg');
    const { data, info } = await sharp(join(dir, 'x.png')).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([64, 48, 3]);
    expect(Buffer.from(scene.rgb).equals(data)).toBe(true);
    const meta = await sharp(join(dir, 'x.jpg')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 64, 48]);
  });
});
