import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { interactiveDecoderModels, pruneOnnxOutputs } from '../bundle/low-res-decoder';
import { buildContractDecoder, encodeModel, floatTensor, node, type GraphSpec } from '../testing/index';
import { PROMPT_GRAPH_THREADS, roleRuntimeOptions } from './ort-node-backend';
import { summarizeOnnxModel } from './read-onnx-io';

// The graphs derived from a contract decoder for the click loop (bundle/low-res-decoder.ts).
const names = (t: { name: string }[]): string[] => t.map((x) => x.name).sort();
const DEFAULT_DECODER = fileURLToPath(new URL('../../../../models/default/decoder.onnx', import.meta.url));

describe('interactive decoder graphs', () => {
  it('drop the upscaled masks and orig_im_size; the no-mask graph has no mask inputs', () => {
    const derived = interactiveDecoderModels(buildContractDecoder());
    const prompt = summarizeOnnxModel(derived.prompt);
    const noMask = summarizeOnnxModel(derived.promptNoMask);
    const prelude = summarizeOnnxModel(derived.prelude);
    expect(names(prompt.outputs)).toEqual(['iou_predictions', 'low_res_masks']);
    expect(names(noMask.outputs)).toEqual(['iou_predictions', 'low_res_masks']);
    expect(names(prelude.inputs)).toEqual(['image_embeddings']);
    expect(names(prelude.outputs)).toEqual([...derived.preludeOutputs].sort());
    expect(names(prompt.inputs)).toEqual([...derived.preludeOutputs, 'has_mask_input', 'mask_input', 'point_coords', 'point_labels'].sort());
    expect(names(noMask.inputs)).toEqual([...derived.preludeOutputs, 'point_coords', 'point_labels'].sort());
  });

  it('the embedding crosses through an Identity when a prompt meets it first', async () => {
    // low_res = embedding channel 0 (upsampled by a Resize) + mean(point_coords); iou = mean(mask_input) · has_mask
    const spec: GraphSpec = {
      name: 'tiny_decoder',
      inputs: [
        { name: 'image_embeddings', dims: [1, 256, 64, 64] },
        { name: 'point_coords', dims: [1, 'n', 2] },
        { name: 'point_labels', dims: [1, 'n'] },
        { name: 'mask_input', dims: [1, 1, 256, 256] },
        { name: 'has_mask_input', dims: [1] },
        { name: 'orig_im_size', dims: [2] },
      ],
      outputs: [
        { name: 'masks', dims: [1, 1, 'h', 'w'] },
        { name: 'iou_predictions', dims: [1, 1] },
        { name: 'low_res_masks', dims: [1, 1, 256, 256] },
      ],
      nodes: [
        node('ReduceMean', ['point_coords'], ['pc_mean'], { keepdims: 0 }),
        node('Add', ['image_embeddings', 'pc_mean'], ['shifted']),
        node('ReduceMean', ['shifted'], ['first'], { axes: [1], keepdims: 1 }),
        node('Resize', ['first', '', 'scales4'], ['low_res_masks'], { mode: 'linear' }),
        node('ReduceMean', ['mask_input'], ['m_mean'], { keepdims: 0 }),
        node('Mul', ['m_mean', 'has_mask_input'], ['m1']),
        node('Reshape', ['m1', 'iou_shape'], ['iou_predictions']),
        node('Mul', ['low_res_masks', 'orig_im_size'], ['masks_wrong_but_present']),
        node('Identity', ['masks_wrong_but_present'], ['masks']),
      ],
      initializers: [floatTensor('scales4', [4], [1, 1, 4, 4]), { name: 'iou_shape', dims: [2], dataType: 7, int64Data: [1, 1] }],
    };
    const derived = interactiveDecoderModels(encodeModel(spec));
    expect(derived.preludeOutputs).toEqual(['image_embeddings/prelude']);
    const session = await ort.InferenceSession.create(derived.prelude);
    const data = Float32Array.from({ length: 256 * 64 * 64 }, (_, i) => i % 7);
    const out = await session.run({ image_embeddings: new ort.Tensor('float32', data, [1, 256, 64, 64]) });
    expect(Array.from((out['image_embeddings/prelude']!.data as Float32Array).subarray(0, 9))).toEqual([0, 1, 2, 3, 4, 5, 6, 0, 1]);
    const prompt = await ort.InferenceSession.create(derived.promptNoMask);
    const coords = new ort.Tensor('float32', Float32Array.from([10, 20]), [1, 1, 2]);
    const result = await prompt.run({ ...out, point_coords: coords, point_labels: new ort.Tensor('float32', Float32Array.from([1]), [1, 1]) });
    const lowRes = result['low_res_masks']!;
    expect(lowRes.dims).toEqual([1, 1, 256, 256]);
    // mean over channels of (i % 7 + 15) at pixel 0: channels c·4096 → (c·4096) % 7 cycles through all residues
    expect(Math.abs((lowRes.data as Float32Array)[0]! - 18)).toBeLessThan(0.1);
    expect(Array.from(result['iou_predictions']!.data as Float32Array)).toEqual([0]);
    await Promise.all([session.release(), prompt.release()]);
  });

  it.skipIf(!(() => { try { return readFileSync(DEFAULT_DECODER).length > 0; } catch { return false; } })())('splits the built-in decoder after its embedding-only part: the folded 32×32 tokens, the 64×64 skip and the detail upsampling weights', async () => {
    const derived = interactiveDecoderModels(readFileSync(DEFAULT_DECODER));
    // the built-in model (tiny-hd): 2 + the 9 per-neighbour weight planes of its detail upsampling
    expect(derived.preludeOutputs).toHaveLength(11);
    expect(derived.preludeOutputs).not.toContain('image_embeddings/prelude');
    expect(summarizeOnnxModel(derived.prelude).outputs).toHaveLength(11);
    const session = await ort.InferenceSession.create(derived.prelude);
    const out = await session.run({ image_embeddings: new ort.Tensor('float32', new Float32Array(256 * 64 * 64).fill(0.1), [1, 256, 64, 64]) });
    const dims = derived.preludeOutputs.map((name) => out[name]!.dims);
    expect(dims).toContainEqual([1, 16, 64, 64]);
    expect(dims).toContainEqual([1, 64, 32, 32]);
    // per neighbour: one weight plane on the 256² grid (the bilinear doubling folded in), computed once per image
    expect(dims.filter((d) => d.length === 4 && d[2] === 256)).toEqual(Array.from({ length: 9 }, () => [1, 1, 256, 256]));
    await session.release();
  });

  it('refuses outputs the model does not have, and non-ONNX bytes', () => {
    expect(() => pruneOnnxOutputs(buildContractDecoder(), ['low_res_masks', 'logits'])).toThrow('the model has no output "logits" (outputs: masks, iou_predictions, low_res_masks)');
    expect(() => interactiveDecoderModels(new Uint8Array([1, 2, 3]))).toThrow();
  });

  it('the per-prompt graphs get their own intra-op thread count; the other graphs keep the bundle-wide one', () => {
    const wide = { intraOpNumThreads: 4 };
    expect(PROMPT_GRAPH_THREADS).toBe(1);
    expect(roleRuntimeOptions('decoder.prompt', wide).intraOpNumThreads).toBe(PROMPT_GRAPH_THREADS);
    expect(roleRuntimeOptions('decoder.prompt-no-mask', {}).intraOpNumThreads).toBe(PROMPT_GRAPH_THREADS);
    expect(roleRuntimeOptions('decoder.prompt', { ...wide, promptIntraOpNumThreads: 3 }).intraOpNumThreads).toBe(3);
    for (const role of ['encoder', 'decoder', 'detector', 'decoder.prelude'] as const) {
      expect(roleRuntimeOptions(role, { ...wide, promptIntraOpNumThreads: 3 }).intraOpNumThreads).toBe(4);
      expect(roleRuntimeOptions(role, {}).intraOpNumThreads).toBeUndefined();
    }
  });
});
