import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRle, rleArea, rleFromString, rleToBboxSam, type CompressedRle } from '@dataengine/segment';
import { closeAllBundles } from '@dataengine/segment/node';
import { writeContractBundle } from '@dataengine/segment/testing';
import { generateScene } from '@dataengine/synth';
import { REPO_ROOT } from './repo-paths';
import { runCli } from './run-cli';

const W = 320;
const H = 240;
const SA1B_ANNOTATION_KEYS = ['id', 'segmentation', 'bbox', 'area', 'predicted_iou', 'stability_score', 'crop_box', 'point_coords'];
// the contract decoder's discs are too soft for the default stability threshold (SAM-SPEC.md §8)
const FAST = ['--points-per-side', '8', '--stability-score-thresh', '0.5'];

let dir: string;
let bundle: string;
let image: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataengine-amg-'));
  bundle = await writeContractBundle(join(dir, 'bundle'));
  const scene = generateScene({ seed: 7, width: W, height: H });
  image = join(dir, 'sa_42.png');
  await sharp(Buffer.from(scene.rgb.buffer, scene.rgb.byteOffset, scene.rgb.byteLength), { raw: { width: W, height: H, channels: 3 } }).png().toFile(image);
});
afterAll(async () => {
  await closeAllBundles();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
  return { code, stdout, stderr };
}

describe('dataengine amg', () => {
  it('writes an SA-1B per-image JSON on stdout (child process through bin/dataengine.mjs)', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dataengine.mjs'), 'amg', '--image', image, '--checkpoint', bundle, ...FAST, '--crop-n-layers', '1'], {
      cwd: tmpdir(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/amg: \d+ masks from 320 points in 5 crop\(s\)/);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['image', 'annotations']);
    expect(out.image).toEqual({ image_id: 42, width: W, height: H, file_name: 'sa_42.png' });
    expect(out.annotations.length).toBeGreaterThan(0);
    const crops = new Set<string>();
    out.annotations.forEach((a: { id: number; segmentation: CompressedRle; bbox: number[]; area: number; crop_box: number[]; point_coords: number[][] }, i: number) => {
      expect(Object.keys(a)).toEqual(SA1B_ANNOTATION_KEYS);
      expect(a.id).toBe(i + 1);
      expect(a.segmentation.size).toEqual([H, W]);
      expect(typeof a.segmentation.counts).toBe('string');
      const mask = decodeRle(a.segmentation);
      expect([mask.height, mask.width, mask.data.length]).toEqual([H, W, H * W]);
      expect(a.area).toBe(rleArea(a.segmentation));
      expect(a.bbox).toEqual(rleToBboxSam(a.segmentation));
      expect(a.crop_box).toHaveLength(4);
      crops.add(a.crop_box.join(','));
      expect(a.point_coords).toHaveLength(1);
      const [[px, py]] = a.point_coords as [[number, number]];
      // the contract decoder draws a disc around the prompt point: the point is inside its mask
      expect(mask.data[Math.floor(py) * W + Math.floor(px)]).toBe(1);
    });
    expect(crops.has(`0,0,${W},${H}`) || crops.size > 1).toBe(true);
  });

  it('--out writes the file (and nothing on stdout); uncompressed RLE and a fractional overlap ratio work', async () => {
    const r = await cli('amg', '--image', 'sa_42.png', '--checkpoint', bundle, ...FAST, '--crop-n-layers', '1', '--crop-overlap-ratio', '0.25', '--output-mode', 'uncompressed_rle', '--out', 'out.json', '--quiet');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    const out = JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'));
    const [a] = out.annotations;
    expect(Array.isArray(a.segmentation.counts)).toBe(true);
    expect(a.segmentation.counts.reduce((s: number, c: number) => s + c, 0)).toBe(W * H);
    // ratio 0.25 on 320×240: overlap int(0.25·240·2/2) = 60, crops 190×150 at x0 ∈ {0, 130}, y0 ∈ {0, 90} (SAM-SPEC.md §3.2)
    const allowed = [`0,0,${W},${H}`, '0,0,190,150', '0,90,190,150', '130,0,190,150', '130,90,190,150'];
    const crops = new Set<string>(out.annotations.map((x: { crop_box: number[] }) => x.crop_box.join(',')));
    expect([...crops].filter((c) => !allowed.includes(c))).toEqual([]);
    expect(crops.size).toBeGreaterThan(1);
    const stdoutRun = await cli('amg', '--image', 'sa_42.png', '--checkpoint', bundle, ...FAST, '--quiet');
    const compressed = JSON.parse(stdoutRun.stdout).annotations[0].segmentation;
    expect(rleFromString(compressed.counts).reduce((s, c) => s + c, 0)).toBe(W * H);
  });

  it('--overlay writes a PNG of the masks over the image: its size, changed where masks are, unchanged elsewhere', async () => {
    const r = await cli('amg', '--image', 'sa_42.png', '--checkpoint', bundle, ...FAST, '--out', 'ov.json', '--overlay', 'ov.png', '--quiet');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    const { data, info } = await sharp(join(dir, 'ov.png')).raw().toBuffer({ resolveWithObject: true });
    expect([info.format, info.width, info.height, info.channels]).toEqual(['raw', W, H, 3]);
    expect((await sharp(join(dir, 'ov.png')).metadata()).format).toBe('png');
    const original = await sharp(image).raw().toBuffer();
    const { annotations } = JSON.parse(await readFile(join(dir, 'ov.json'), 'utf8')) as { annotations: { segmentation: CompressedRle }[] };
    expect(annotations.length).toBeGreaterThan(0);
    const covered = new Uint8Array(W * H);
    for (const a of annotations) decodeRle(a.segmentation).data.forEach((v, i) => (covered[i] ||= v));
    let inside = 0;
    let changedInside = 0;
    let changedOutside = 0;
    for (let i = 0; i < W * H; i++) {
      const changed = data[i * 3] !== original[i * 3] || data[i * 3 + 1] !== original[i * 3 + 1] || data[i * 3 + 2] !== original[i * 3 + 2];
      if (covered[i]) {
        inside++;
        if (changed) changedInside++;
      } else if (changed) changedOutside++;
    }
    expect(inside).toBeGreaterThan(0);
    expect(changedInside / inside).toBeGreaterThan(0.99); // a blend towards a colour changes (almost) every pixel
    expect(changedOutside).toBe(0);
    const unwritable = await cli('amg', '--image', image, '--checkpoint', bundle, ...FAST, '--quiet', '--overlay', 'no/such/dir/ov.png');
    expect([unwritable.code, unwritable.stdout]).toEqual([1, '']);
    expect(unwritable.stderr).toMatch(/^dataengine: cannot write --overlay no\/such\/dir\/ov.png: ENOENT/);
  });

  it.each([
    [['--points-per-side', '1.5'], /--points-per-side must be an integer, got "1.5"/],
    [['--pred-iou-thresh', 'high'], /--pred-iou-thresh must be a number, got "high"/],
    [['--crop-overlap-ratio', '1.5'], /--crop-overlap-ratio must be in \[0, 1\), got 1.5/],
    [['--points-per-batch', '0'], /--points-per-batch must be a positive integer, got 0/],
    [['--preset', 'everything'], /unknown --preset "everything"; known: sam-default, sa1b/],
    [['--output-mode', 'binary_mask'], /--output-mode must be one of coco_rle, uncompressed_rle/],
    [['--crop-n-layers'], /argument missing/],
  ])('rejects %j with exit 2 and one clear message', async (extra, message) => {
    const r = await cli('amg', '--image', image, '--checkpoint', bundle, ...extra);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('unreadable and non-image files, and an unwritable --out, exit 1 with one line', async () => {
    const missing = await cli('amg', '--image', 'nope.jpg', '--checkpoint', bundle);
    expect([missing.code, missing.stderr, missing.stdout]).toEqual([1, `dataengine: cannot read ${join(dir, 'nope.jpg')}: no such file\n`, '']);
    await writeFile(join(dir, 'notes.jpg'), 'plain text, not a JPEG');
    const text = await cli('amg', '--image', 'notes.jpg', '--checkpoint', bundle);
    expect([text.code, text.stderr]).toEqual([1, `dataengine: ${join(dir, 'notes.jpg')} is not an image we can read (JPEG, PNG, WebP, TIFF, GIF, AVIF)\n`]);
    expect((await cli('amg', '--checkpoint', bundle)).code).toBe(2);
    const unwritable = await cli('amg', '--image', image, '--checkpoint', bundle, ...FAST, '--quiet', '--out', 'no/such/dir/out.json');
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^dataengine: cannot write --out no\/such\/dir\/out.json: ENOENT/);
  });
});
