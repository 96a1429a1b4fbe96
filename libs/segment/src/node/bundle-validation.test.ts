import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError } from '../pipeline/segment-errors';
import { buildContractDecoder, buildContractEncoder, buildContractEncoderExternal, writeContractBundle } from '../testing/index';
import { OrtNodeBackend } from './ort-node-backend';
import { importSamExport } from './import-sam-export';
import { summarizeOnnxModel } from './read-onnx-io';
import { inspectBundle, validateBundle } from './validate-bundle';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segment-bundle-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('reading ONNX I/O metadata (onnx-proto)', () => {
  it('lists graph inputs minus initializers, outputs with symbolic dims, and the opset', () => {
    const s = summarizeOnnxModel(buildContractDecoder());
    expect(s.inputs.map((t) => t.name)).toEqual(['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size']);
    expect(s.inputs[1]).toEqual({ name: 'point_coords', dtype: 'float32', dims: [1, 'num_points', 2] });
    expect(s.outputs[0]).toEqual({ name: 'masks', dtype: 'float32', dims: [1, 4, 'mask_height', 'mask_width'] });
    expect(s.opset).toBe(17);
    expect(s.externalData).toEqual([]);
  });
  it('fails on bytes that are not a model', () => {
    expect(() => summarizeOnnxModel(new TextEncoder().encode('\x89PNG not a model at all'))).toThrow();
  });
});

describe('bundle validation', () => {
  it('accepts the contract bundle (with and without detector)', async () => {
    const ok = await validateBundle(await writeContractBundle(join(root, 'valid')));
    expect(ok.manifest.name).toBe('contract-fixture');
    const det = await validateBundle(await writeContractBundle(join(root, 'det'), 'with-detector'));
    expect(det.manifest.detector).toEqual({ input: 'image_embeddings', outputs: { objectness: [1, 1, 64, 64], boxes: [1, 4, 64, 64] }, box_format: 'ltrb', score: 'logit' });
  });

  it.each([
    ['decoder-input-name', /^decoder.onnx: input "point_coords" is missing \(expected float32 \[1, N, 2\]\)/],
    ['decoder-coords-int64', /^decoder.onnx: input "point_coords" expected float32 \[1, N, 2\], found int64 \[1, num_points, 2\]$/],
    ['encoder-embedding-shape', /^encoder.onnx: output "image_embeddings" expected float32 \[1, 256, 64, 64\], found float32 \[1, 256, 32, 32\]$/],
    ['missing-decoder', /^decoder.onnx: file is missing$/],
  ] as const)('rejects %s with a precise message', async (variant, message) => {
    const dir = await writeContractBundle(join(root, variant), variant);
    const report = await inspectBundle(dir);
    expect(report.problems[0]).toMatch(message);
    await expect(validateBundle(dir)).rejects.toBeInstanceOf(BundleError);
  });

  it('reports a broken manifest and a non-ONNX model file', async () => {
    const dir = await writeContractBundle(join(root, 'broken'));
    await writeFile(join(dir, 'encoder.onnx'), 'garbage');
    expect((await inspectBundle(dir)).problems).toEqual([expect.stringMatching(/^encoder.onnx: not a readable ONNX model/)]);
    await writeFile(join(dir, 'manifest.json'), '{"format": "dataengine-checkpoint-bundle"');
    expect((await inspectBundle(dir)).problems).toEqual([expect.stringMatching(/^manifest.json: not valid JSON/)]);
    expect((await inspectBundle(join(root, 'nope'))).problems).toEqual([expect.stringMatching(/not a directory$/)]);
  });
});

describe('importSamExport', () => {
  it('writes a bundle with the SAM preset, then refuses to overwrite it', async () => {
    const src = join(root, 'export');
    await writeContractBundle(src);
    const out = join(root, 'imported');
    const bundle = await importSamExport({ encoder: join(src, 'encoder.onnx'), decoder: join(src, 'decoder.onnx'), preset: 'sam', out, now: () => new Date('2026-02-03T04:05:06Z') });
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'dataengine-checkpoint-bundle',
      format_version: 1,
      name: 'imported',
      model_type: 'sam',
      image_size: 1024,
      pixel_mean: [123.675, 116.28, 103.53],
      pixel_std: [58.395, 57.12, 57.375],
      embedding_shape: [256, 64, 64],
      low_res_size: 256,
      mask_channels: 4,
      encoder: { input: 'input_image', output: 'image_embeddings' },
      lineage: { parent: null, snapshot_id: null, metrics: {}, created: '2026-02-03T04:05:06.000Z' },
    });
    expect(bundle.files.decoder).toBe(join(out, 'decoder.onnx'));
    await expect(importSamExport({ encoder: join(src, 'encoder.onnx'), decoder: join(src, 'decoder.onnx'), preset: 'sam', out })).rejects.toThrow(/not empty/);
  });

  it('copies external weights (ViT-H style) with the encoder and checks they exist', async () => {
    const src = join(root, 'vit-h');
    await mkdir(join(src, 'weights'), { recursive: true });
    const { model, weights } = buildContractEncoderExternal('weights/encoder_data.bin');
    await writeFile(join(src, 'enc.onnx'), model);
    await writeFile(join(src, 'weights', 'encoder_data.bin'), weights);
    expect(summarizeOnnxModel(model).externalData).toEqual(['weights/encoder_data.bin']);
    const out = join(root, 'vit-h-bundle');
    const bundle = await importSamExport({ encoder: join(src, 'enc.onnx'), decoder: join(root, 'export', 'decoder.onnx'), preset: 'sam', out });
    const backend = new OrtNodeBackend({ encoder: bundle.files.encoder }, { intraOpNumThreads: 1 });
    const emb = await backend.run('encoder', { input_image: { data: new Float32Array(3 * 1024 * 1024).fill(2), dims: [1, 3, 1024, 1024] } });
    expect(emb.image_embeddings!.data[5 * 4096]).toBeCloseTo(2 + 5 / 256, 5);
    await backend.dispose();
    await rm(join(out, 'weights', 'encoder_data.bin'));
    expect((await inspectBundle(out)).problems).toEqual(['encoder.onnx: external weights file "weights/encoder_data.bin" is missing']);
  });

  it('rejects a wrong export before writing anything, naming the source file', async () => {
    const enc = join(root, 'bad-encoder.onnx');
    await writeFile(enc, buildContractEncoder({ embeddingSide: 32 }));
    const dec = join(root, 'export', 'decoder.onnx');
    const out = join(root, 'never');
    await expect(importSamExport({ encoder: enc, decoder: dec, preset: 'sam', out })).rejects.toThrow(`${enc}: output "image_embeddings" expected float32 [1, 256, 64, 64], found float32 [1, 256, 32, 32]`);
    expect((await inspectBundle(out)).problems[0]).toMatch(/not a directory/);
  });
});
