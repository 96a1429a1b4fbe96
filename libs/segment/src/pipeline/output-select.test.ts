import { describe, expect, it } from 'vitest';
import { binarizeLogits, stabilityScore, summarizeLogits } from './mask-postprocess';
import { maskChannel, selectMaskChannels } from './output-select';

const iou = Float32Array.from([0.99, 0.6, 0.9, 0.75]);

describe('selectMaskChannels (SAM-SPEC.md §1.3–1.4)', () => {
  it('n ≤ 2 (one click + pad, or a box alone): best of channels 1–3 by IoU, never 0', () => {
    expect(selectMaskChannels(iou, 2, false)).toEqual([2]);
    expect(selectMaskChannels(iou, 1, false)).toEqual([2]);
  });
  it('n ≥ 3 (two clicks + pad, click + box, …): channel 0', () => {
    expect(selectMaskChannels(Float32Array.from([0.1, 0.9, 0.95, 0.99]), 3, false)).toEqual([0]);
    expect(selectMaskChannels(iou, 4, false)).toEqual([0]);
  });
  it('ties keep the first maximum (torch.argmax)', () => {
    expect(selectMaskChannels(Float32Array.from([0, 0.7, 0.7, 0.7]), 2, false)).toEqual([1]);
  });
  it('the predictor rule (PyTorch multimask_output=False): channel 0 whatever the prompt; multimask still gives 1–3', () => {
    expect(selectMaskChannels(iou, 2, false, 'predictor')).toEqual([0]);
    expect(selectMaskChannels(Float32Array.from([0.1, 0.9, 0.95, 0.99]), 4, false, 'predictor')).toEqual([0]);
    expect(selectMaskChannels(iou, 2, true, 'predictor')).toEqual([1, 2, 3]);
    expect(selectMaskChannels(iou, 2, false, 'export')).toEqual([2]);
  });
  it('multimask: the ambiguity candidates 1–3; a single-mask export: channel 0', () => {
    expect(selectMaskChannels(iou, 2, true)).toEqual([1, 2, 3]);
    expect(selectMaskChannels(Float32Array.from([0.5]), 2, false)).toEqual([0]);
    expect(selectMaskChannels(Float32Array.from([0.5]), 5, true)).toEqual([0]);
  });
});

describe('maskChannel', () => {
  it('slices one channel without copying and checks the output shapes', () => {
    const masks = { data: Float32Array.from({ length: 4 * 6 }, (_, i) => i), dims: [1, 4, 2, 3] };
    const out = { masks, iouPredictions: { data: iou, dims: [1, 4] }, lowResMasks: { data: new Float32Array(4 * 16), dims: [1, 4, 4, 4] } };
    const ch = maskChannel(out, 2, { height: 2, width: 3, lowResSize: 4 });
    expect(Array.from(ch.logits)).toEqual([12, 13, 14, 15, 16, 17]);
    expect(ch.logits.buffer).toBe(masks.data.buffer);
    expect(ch.predictedIou).toBeCloseTo(0.9, 6);
    expect(() => maskChannel(out, 0, { height: 3, width: 3, lowResSize: 4 })).toThrow(/expected \[1, C, 3, 3\]/);
  });
});

describe('binarise and stability (SAM-SPEC.md §1.3, §3.3)', () => {
  it('binarises with a strict > 0', () => {
    expect(Array.from(binarizeLogits(Float32Array.from([-1, 0, 1e-7, 3]), 2, 2).data)).toEqual([0, 0, 1, 1]);
  });
  it('stability = #{L > 1} / #{L > −1}, and 0/0 → 0', () => {
    const logits = Float32Array.from([-2, -1, -0.5, 0, 0.5, 1, 1.5, 3]);
    // > −1: −0.5, 0, 0.5, 1, 1.5, 3 (6); > 1: 1.5, 3 (2)
    expect(stabilityScore(logits)).toBeCloseTo(2 / 6, 12);
    expect(stabilityScore(Float32Array.from([-5, -1, -1]))).toBe(0);
    // > −0.5: 0, 0.5, 1, 1.5, 3 (5); > 0.5: 1, 1.5, 3 (3)
    expect(stabilityScore(logits, 0, 0.5)).toBeCloseTo(3 / 5, 12);
  });
  it('summarizeLogits agrees with the separate functions', () => {
    const logits = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 3);
    const s = summarizeLogits(logits, 8, 8);
    expect(s.mask.data).toEqual(binarizeLogits(logits, 8, 8).data);
    expect(s.area).toBe(s.mask.data.reduce((a, b) => a + b, 0));
    expect(s.stabilityScore).toBe(stabilityScore(logits));
    expect(summarizeLogits(logits, 8, 8, 0, -0.5).stabilityScore).toBe(stabilityScore(logits, 0, -0.5));
  });
});
