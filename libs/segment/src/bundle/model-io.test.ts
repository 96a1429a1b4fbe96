import { describe, expect, it } from 'vitest';
import { bundleManifestSchema, manifestProblems } from './bundle-manifest.schema';
import { checkModelIo, expectedModelIo, type TensorInfo } from './model-io';

const manifest = bundleManifestSchema.parse({ format: 'dataengine-checkpoint-bundle', format_version: 1, name: 't', lineage: { created: '2026-01-01T00:00:00Z' } });
const spec = expectedModelIo(manifest);
const official: TensorInfo[] = [
  { name: 'image_embeddings', dtype: 'float32', dims: [1, 256, 64, 64] },
  { name: 'point_coords', dtype: 'float32', dims: [1, 'num_points', 2] },
  { name: 'point_labels', dtype: 'float32', dims: [1, 'num_points'] },
  { name: 'mask_input', dtype: 'float32', dims: [1, 1, 256, 256] },
  { name: 'has_mask_input', dtype: 'float32', dims: [1] },
  { name: 'orig_im_size', dtype: 'float32', dims: [2] },
];
const outputs: TensorInfo[] = [
  { name: 'masks', dtype: 'float32', dims: [1, 4, 'h', 'w'] },
  { name: 'iou_predictions', dtype: 'float32', dims: [1, 4] },
  { name: 'low_res_masks', dtype: 'float32', dims: [1, 4, 256, 256] },
];

describe('manifest defaults (SAM preset)', () => {
  it('fills the SAM numbers and rejects unknown formats', () => {
    expect(manifest).toMatchObject({ image_size: 1024, pixel_mean: [123.675, 116.28, 103.53], pixel_std: [58.395, 57.12, 57.375], embedding_shape: [256, 64, 64], low_res_size: 256, mask_channels: 4 });
    expect(manifest.lineage).toEqual({ parent: null, snapshot_id: null, metrics: {}, created: '2026-01-01T00:00:00Z' });
    const bad = manifestProblems({ format: 'x', format_version: 2, name: '', lineage: {} });
    expect(bad.problems.join('\n')).toMatch(/manifest.json: format:[\s\S]*format_version[\s\S]*name[\s\S]*lineage.created/);
  });
});

describe('checkModelIo (official decoder contract, SAM-SPEC.md §1.2–1.3)', () => {
  it('accepts the official export, symbolic output dims included', () => {
    expect(checkModelIo(spec.decoder, { inputs: official, outputs })).toEqual([]);
  });

  it('names the file, the tensor and the expectation', () => {
    const inputs = official.map((t) => (t.name === 'point_coords' ? { ...t, dtype: 'int64', dims: [1, 'N', 2] } : t));
    expect(checkModelIo(spec.decoder, { inputs, outputs })).toEqual(['decoder.onnx: input "point_coords" expected float32 [1, N, 2], found int64 [1, N, 2]']);
  });

  it('reports wrong names, static-where-dynamic, wrong static dims and missing outputs', () => {
    const inputs = official.map((t) =>
      t.name === 'point_labels' ? { ...t, name: 'labels' } : t.name === 'point_coords' ? { ...t, dims: [1, 1, 2] } : t.name === 'image_embeddings' ? { ...t, dims: [1, 256, 32, 32] } : t,
    );
    const problems = checkModelIo(spec.decoder, { inputs, outputs: outputs.slice(0, 2) });
    expect(problems).toEqual([
      'decoder.onnx: input "image_embeddings" expected float32 [1, 256, 64, 64], found float32 [1, 256, 32, 32]',
      'decoder.onnx: input "point_coords" expected float32 [1, N, 2], found float32 [1, 1, 2]',
      expect.stringMatching(/^decoder.onnx: input "point_labels" is missing \(expected float32 \[1, N\]\); the model's inputs are "image_embeddings", /),
      expect.stringMatching(/^decoder.onnx: unexpected input "labels" \(float32 \[1, num_points\]\)/),
      expect.stringMatching(/^decoder.onnx: output "low_res_masks" is missing \(expected float32 \[1, 4, 256, 256\]\)/),
    ]);
  });

  it('checks the encoder against the manifest (samexporter --use-preprocess HWC input is rejected)', () => {
    const enc = { inputs: [{ name: 'input_image', dtype: 'float32', dims: ['image_height', 'image_width', 3] }], outputs: [{ name: 'image_embeddings', dtype: 'float32', dims: [1, 256, 64, 64] }] };
    expect(checkModelIo(spec.encoder, enc)).toEqual(['encoder.onnx: input "input_image" expected float32 [1, 3, 1024, 1024], found float32 [image_height, image_width, 3]']);
  });
});
