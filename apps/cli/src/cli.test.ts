import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRle, rleArea, rleToBboxSam } from '@dataengine/segment';
import { closeAllBundles } from '@dataengine/segment/node';
import { writeContractBundle } from '@dataengine/segment/testing';
import { generateScene } from '@dataengine/synth';
import { buildCommandTable } from './command-registry';
import { segmentCommand } from './commands/segment.command';
import { REPO_ROOT } from './repo-paths';
import { runCli } from './run-cli';

let dir: string;
let bundle: string;
let image: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataengine-cli-'));
  bundle = await writeContractBundle(join(dir, 'bundle'));
  const scene = generateScene({ seed: 7, width: 320, height: 240 });
  image = join(dir, 'scene.png');
  await sharp(Buffer.from(scene.rgb.buffer, scene.rgb.byteOffset, scene.rgb.byteLength), { raw: { width: 320, height: 240, channels: 3 } }).png().toFile(image);
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

describe('dataengine (child process through bin/dataengine.mjs)', () => {
  const bin = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dataengine.mjs'), ...args], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });

  it('segment prints an SA-1B-style record for a click on a synthetic image', () => {
    const r = bin('segment', '--image', image, '--point', '160,120', '--checkpoint', bundle);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.image).toEqual({ file_name: image, width: 320, height: 240 });
    const [a] = out.annotations;
    expect(Object.keys(a)).toEqual(['id', 'segmentation', 'bbox', 'area', 'predicted_iou', 'stability_score', 'point_coords', 'crop_box']);
    expect(a.segmentation.size).toEqual([240, 320]);
    expect(typeof a.segmentation.counts).toBe('string');
    // contract disc: channel 2, radius 40 / (1024/320) = 12.5 px around (160, 120)
    expect(a.area).toBe(rleArea(a.segmentation));
    expect(a.bbox).toEqual(rleToBboxSam(a.segmentation));
    expect(a.bbox).toEqual([148, 108, 24, 24]);
    const mask = decodeRle(a.segmentation);
    expect(mask.data[120 * 320 + 160]).toBe(1);
    expect(a.predicted_iou).toBe(Math.fround(0.9));
    expect(a.point_coords).toEqual([[160, 120]]);
    expect(a.crop_box).toEqual([0, 0, 320, 240]);
  });

  it('a point outside the image exits 1 with one line on stderr', () => {
    const r = bin('segment', '--image', image, '--point', '400,10', '--checkpoint', bundle);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('dataengine: point 0 (400, 10) is outside the 320×240 image (x must be in [0, 320], y in [0, 240])\n');
  });
});

describe('dataengine segment (in process)', () => {
  it('multimask returns the three ambiguity candidates; a box alone works', async () => {
    const multi = await cli('segment', '--image', image, '--point', '100,100,1', '--multimask', '--checkpoint', bundle);
    expect(multi.code).toBe(0);
    expect(JSON.parse(multi.stdout).annotations.map((a: { predicted_iou: number }) => a.predicted_iou)).toEqual([0.6, 0.9, 0.75].map(Math.fround));
    const box = await cli('segment', '--image', 'scene.png', '--box', '50,60,200,200', '--checkpoint', bundle);
    expect(box.code).toBe(0);
    expect(JSON.parse(box.stdout).annotations[0].point_coords).toEqual([]);
  });

  it('--single-mask predictor returns channel 0 for one click (the PyTorch predictor), export the best candidate (the ONNX export)', async () => {
    const predictor = await cli('segment', '--image', image, '--point', '100,100', '--single-mask', 'predictor', '--checkpoint', bundle);
    expect(predictor.code).toBe(0);
    const [a] = JSON.parse(predictor.stdout).annotations as { predicted_iou: number }[];
    expect(a!.predicted_iou).toBe(Math.fround(0.99)); // channel 0 of the contract decoder
    const exported = await cli('segment', '--image', image, '--point', '100,100', '--single-mask', 'export', '--checkpoint', bundle);
    expect(JSON.parse(exported.stdout).annotations[0].predicted_iou).toBe(Math.fround(0.9)); // best of 1–3
    const bad = await cli('segment', '--image', image, '--point', '100,100', '--single-mask', 'first', '--checkpoint', bundle);
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toMatch(/--single-mask must be export .* or predictor .*; got "first"/);
    const both = await cli('segment', '--image', image, '--point', '100,100', '--single-mask', 'predictor', '--multimask', '--checkpoint', bundle);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot go with --multimask/);
  });

  it.each([
    [['--box', '10,10,5,20'], 2, /^dataengine: malformed box "10,10,5,20": need x0 < x1 and y0 < y1\n$/],
    [['--box', '1,2,3'], 2, /^dataengine: malformed box "1,2,3": expected 4 comma-separated numbers\n$/],
    [['--point', '1,2,7'], 2, /label must be 1 \(positive\) or 0 \(negative\)/],
    [['--point', 'a,b'], 2, /malformed point "a,b"/],
    [['--box', '0,0,330,100'], 1, /box \[0, 0, 330, 100\] is outside the 320×240 image/],
  ])('rejects %j with exit %i', async (extra, code, message) => {
    const r = await cli('segment', '--image', image, ...extra, '--checkpoint', bundle);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('unreadable and non-image files, and a broken bundle, fail with one clear line', async () => {
    const missing = await cli('segment', '--image', 'nope.png', '--point', '1,1', '--checkpoint', bundle);
    expect([missing.code, missing.stderr]).toEqual([1, `dataengine: cannot read ${join(dir, 'nope.png')}: no such file\n`]);
    await writeFile(join(dir, 'text.png'), 'hello, not a png');
    const text = await cli('segment', '--image', 'text.png', '--point', '1,1', '--checkpoint', bundle);
    expect([text.code, text.stderr]).toEqual([1, `dataengine: ${join(dir, 'text.png')} is not an image we can read (JPEG, PNG, WebP, TIFF, GIF, AVIF)\n`]);
    const big = await cli('segment', '--image', image, '--point', '1,1', '--max-pixels', '1000', '--checkpoint', bundle);
    expect(big.stderr).toMatch(/is 320×240 \(0.1 MP\), above the limit of 0.0 MP/);
    const wrong = await writeContractBundle(join(dir, 'wrong'), 'decoder-input-name');
    const bad = await cli('segment', '--image', image, '--point', '1,1', '--checkpoint', wrong);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/decoder.onnx: input "point_coords" is missing/);
  });

  it('a decoder the interactive graphs cannot be derived from: masks from the contract decoder, and one line saying so', async () => {
    const contractOnly = await writeContractBundle(join(dir, 'contract-only'), 'decoder-ignores-embedding');
    const first = await cli('segment', '--image', image, '--point', '160,120', '--checkpoint', contractOnly);
    const again = await cli('segment', '--image', image, '--point', '100,100', '--multimask', '--checkpoint', contractOnly);
    expect([first.code, again.code]).toEqual([0, 0]);
    const [a] = JSON.parse(first.stdout).annotations;
    expect(a.bbox).toEqual([148, 108, 24, 24]); // the contract disc, as with the valid bundle
    expect(decodeRle(a.segmentation).data[120 * 320 + 160]).toBe(1);
    expect(JSON.parse(again.stdout).annotations).toHaveLength(3);
    expect(first.stderr + again.stderr).toBe(
      'segment: the interactive decoder could not be derived from decoder.onnx: the decoder has no "image_embeddings" input; using the contract decoder (decoder.onnx run as-is, slower)\n',
    );
  });

  it('without --checkpoint and no built-in model: a clear message', async () => {
    const empty = await mkdtemp(join(dir, 'no-model-'));
    for (const argv of [['segment', '--image', image, '--point', '1,1'], ['amg', '--image', image]]) {
      let stderr = '';
      const code = await runCli(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: dir, defaultCheckpointDir: empty });
      expect([code, stderr]).toEqual([1, `dataengine: no built-in model yet at ${empty}; pass --checkpoint DIR\n`]);
    }
  });

  it('without --checkpoint: the built-in model directory is used', async () => {
    let stdout = '';
    const code = await runCli(['segment', '--image', image, '--point', '160,120'], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: dir, defaultCheckpointDir: bundle });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).annotations[0].bbox).toEqual([148, 108, 24, 24]); // the contract bundle's disc
  });
});

describe('dataengine checkpoint', () => {
  it('import → validate → info', async () => {
    const out = join(dir, 'imported');
    const imp = await cli('checkpoint', 'import', '--encoder', join(bundle, 'encoder.onnx'), '--decoder', join(bundle, 'decoder.onnx'), '--preset', 'sam', '--out', out);
    expect(imp.stderr).toBe('');
    expect(JSON.parse(imp.stdout).manifest).toMatchObject({ name: 'imported', image_size: 1024, mask_channels: 4 });
    expect(await cli('checkpoint', 'validate', 'imported')).toEqual({ code: 0, stdout: 'imported: valid checkpoint bundle "imported"\n', stderr: '' });
    const info = JSON.parse((await cli('checkpoint', 'info', out)).stdout);
    expect(info.valid).toBe(true);
    expect(info.models.decoder.inputs[1]).toEqual({ name: 'point_coords', dtype: 'float32', dims: [1, 'num_points', 2] });
  });

  it('validate lists every problem and exits 1; bad usage exits 2', async () => {
    const wrong = await writeContractBundle(join(dir, 'shape'), 'encoder-embedding-shape');
    const r = await cli('checkpoint', 'validate', wrong);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('  - encoder.onnx: output "image_embeddings" expected float32 [1, 256, 64, 64], found float32 [1, 256, 32, 32]\n');
    expect((await cli('checkpoint', 'import', '--encoder', 'a.onnx')).code).toBe(2);
    expect((await cli('checkpoint', 'frobnicate')).code).toBe(2);
    expect((await cli('nope')).code).toBe(2);
  });

  it('the command table refuses duplicate names', () => {
    expect(() => buildCommandTable([segmentCommand, segmentCommand])).toThrow(/two CLI commands are named "segment"/);
  });
});
