import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeLogits } from '../pipeline/mask-postprocess';
import { upscaleLowResLogits } from '../pipeline/mask-upscale';
import type { ImageEmbedding } from '../pipeline/prompt.types';
import { SamPredictor } from '../pipeline/sam-predictor';
import { SAM_PIXEL_MEAN, SAM_PIXEL_STD } from '../pipeline/sam-constants';
import { stabilityScore } from '../pipeline/mask-postprocess';
import { contractLogit, writeContractBundle } from '../testing/index';
import { closeAllBundles, openBundle, type OpenBundle } from './open-bundle';
import { createNodeSession } from './ort-node-backend';

// Full pipeline (image → encoder → decoder → mask) through onnxruntime-node on the contract bundle.
const W = 640;
const H = 480;
const colour = [200, 100, 50];
const image = { width: W, height: H, channels: 3 as const, data: new Uint8Array(W * H * 3).map((_, i) => colour[i % 3]!) };

/** How many entries differ (vitest's deep equality is slow on large typed arrays). */
function differences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

let root: string;
let open: OpenBundle;
let embedding: ImageEmbedding;
/** The contract decoder's own `masks` output (this fixture computes it analytically, not from low_res). */
let predictor: SamPredictor;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segment-pipeline-'));
  open = await openBundle(await writeContractBundle(join(root, 'bundle')), { intraOpNumThreads: 1 });
  embedding = await open.predictor.embedImage(image);
  predictor = new SamPredictor(open.backend, open.predictor.config, { interactive: false });
});
afterAll(async () => {
  await closeAllBundles();
  await rm(root, { recursive: true, force: true });
});

/** Pixels where the mask disagrees with the contract disc, ignoring a ±0.01 logit band at the rim. */
function mismatches(mask: Uint8Array, channel: number, p0: [number, number], offset = 0): number {
  let bad = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = contractLogit(channel, x, y, p0, H, W, offset);
      if (Math.abs(v) > 0.01 && (v > 0 ? 1 : 0) !== mask[y * W + x]) bad++;
    }
  }
  return bad;
}

describe('SamPredictor on the contract bundle (onnxruntime-node)', () => {
  it('embeds: normalised mean colour per 16×16 cell, padding cells = bias only', () => {
    expect(embedding.tensor.dims).toEqual([1, 256, 64, 64]);
    const at = (c: number, i: number, j: number): number => embedding.tensor.data[c * 4096 + i * 64 + j]!;
    for (const c of [0, 1, 2, 100, 255]) {
      const k = c % 3;
      expect(at(c, 10, 10)).toBeCloseTo((colour[k]! - SAM_PIXEL_MEAN[k]!) / SAM_PIXEL_STD[k]! + c / 256, 4);
      expect(at(c, 47, 63)).toBeCloseTo((colour[k]! - SAM_PIXEL_MEAN[k]!) / SAM_PIXEL_STD[k]! + c / 256, 4); // 640×480 → 1024×768: rows 0–47
      expect(at(c, 48, 0)).toBeCloseTo(c / 256, 5);
    }
  });

  it('one click: the best of channels 1–3 (channel 2), a disc of radius 40/1.6 = 25 px around the click', async () => {
    const { masks, numPoints } = await predictor.decode(embedding, { points: [{ x: 200, y: 150, label: 1 }] });
    expect(numPoints).toBe(2);
    expect(masks).toHaveLength(1);
    const m = masks[0]!;
    expect(m.channel).toBe(2);
    expect(m.predictedIou).toBeCloseTo(0.9, 6);
    expect([m.mask.width, m.mask.height]).toEqual([W, H]);
    const d = m.mask.data;
    expect([d[150 * W + 200], d[150 * W + 224], d[150 * W + 226], d[174 * W + 200], d[176 * W + 200]]).toEqual([1, 1, 0, 1, 0]);
    expect(mismatches(d, 2, [320, 240])).toBe(0);
    expect(m.area).toBe(d.reduce((a, b) => a + b, 0));
    expect(Math.abs(m.area - Math.PI * 25 * 25)).toBeLessThan(40);
    expect(m.lowResLogits).toHaveLength(256 * 256);
  });

  it('multimask: channels 1–3 with their own radii and IoUs', async () => {
    const { masks } = await predictor.decode(embedding, { points: [{ x: 200, y: 150, label: 1 }] }, { multimask: true, returnLogits: true });
    expect(masks.map((m) => m.channel)).toEqual([1, 2, 3]);
    expect(masks.map((m) => Math.round(m.predictedIou * 100))).toEqual([60, 90, 75]);
    masks.forEach((m) => expect(mismatches(m.mask.data, m.channel, [320, 240])).toBe(0));
    expect(masks[0]!.stabilityScore).toBe(stabilityScore(masks[0]!.logits!));
  });

  it('two clicks (n = 3): channel 0; a box alone: best of 1–3 around the box corner', async () => {
    const two = await predictor.decode(embedding, { points: [{ x: 100, y: 100, label: 1 }, { x: 300, y: 300, label: 0 }] });
    expect(two.numPoints).toBe(3);
    expect(two.masks[0]!.channel).toBe(0);
    expect(mismatches(two.masks[0]!.mask.data, 0, [160, 160])).toBe(0);
    const box = await predictor.decode(embedding, { box: [100, 50, 400, 300] });
    expect(box.numPoints).toBe(2);
    expect(box.masks[0]!.channel).toBe(2);
    expect(mismatches(box.masks[0]!.mask.data, 2, [160, 80])).toBe(0);
  });

  it('feeds the previous low-res logits back as mask_input (has_mask_input = 1)', async () => {
    const first = await predictor.decode(embedding, { points: [{ x: 200, y: 150, label: 1 }] });
    const prev = first.masks[0]!.lowResLogits;
    const mean = prev.reduce((a, b) => a + b, 0) / prev.length;
    const second = await predictor.decode(embedding, { points: [{ x: 200, y: 150, label: 1 }], maskInput: prev }, { returnLogits: true });
    const logits = second.masks[0]!.logits!;
    expect(logits[150 * W + 200]).toBeCloseTo(contractLogit(2, 200, 150, [320, 240], H, W, mean), 2);
  });

  it('interactive decoder: same channels, IoUs and low-res logits as the contract decoder; masks are §1.5 of the low-res logits', async () => {
    const prompts = [
      { points: [{ x: 200, y: 150, label: 1 as const }] },
      { points: [{ x: 100, y: 100, label: 1 as const }, { x: 300, y: 300, label: 0 as const }] },
      { box: [100, 50, 400, 300] as [number, number, number, number] },
    ];
    for (const prompt of prompts) {
      for (const multimask of [false, true]) {
        const fast = await open.predictor.decode(embedding, prompt, { multimask });
        const slow = await predictor.decode(embedding, prompt, { multimask });
        expect(fast.numPoints).toBe(slow.numPoints);
        expect(fast.masks.map((m) => [m.channel, m.predictedIou])).toEqual(slow.masks.map((m) => [m.channel, m.predictedIou]));
        for (const [i, m] of fast.masks.entries()) {
          expect(differences(m.lowResLogits, slow.masks[i]!.lowResLogits)).toBe(0);
          const reference = summarizeLogits(upscaleLowResLogits(m.lowResLogits, 256, H, W), H, W);
          expect(m.area).toBe(reference.area);
          expect(differences(m.mask.data, reference.mask.data)).toBe(0);
          expect(m.stabilityScore).toBeCloseTo(reference.stabilityScore, 6);
        }
      }
    }
    // a refinement (mask prompt) goes through the prompt graph that reads mask_input
    const first = await open.predictor.decode(embedding, prompts[0]!);
    const refined = await open.predictor.decode(embedding, { ...prompts[0]!, maskInput: first.masks[0]!.lowResLogits });
    const refinedSlow = await predictor.decode(embedding, { ...prompts[0]!, maskInput: first.masks[0]!.lowResLogits });
    expect(differences(refined.masks[0]!.lowResLogits, refinedSlow.masks[0]!.lowResLogits)).toBe(0);
  });

  it('caches bundles and sessions; rejects prompts outside the image before running', async () => {
    expect(await openBundle(join(root, 'bundle'), { intraOpNumThreads: 1 })).toBe(open);
    const [a, b] = await Promise.all([open.backend.session('decoder'), open.backend.session('decoder')]);
    expect(a).toBe(b);
    await expect(predictor.decode(embedding, { points: [{ x: 700, y: 10, label: 1 }] })).rejects.toThrow('point 0 (700, 10) is outside the 640×480 image');
  });

  it('falls back to CPU with a log line when CUDA is asked for but unavailable', async () => {
    const lines: string[] = [];
    const session = await createNodeSession(join(root, 'bundle', 'decoder.onnx'), { executionProvider: 'cuda', intraOpNumThreads: 1, log: (l) => lines.push(l) });
    expect(session.inputNames).toContain('point_coords');
    expect(lines.join('\n')).toMatch(/CUDA execution provider .*CPU/);
    await session.release();
  });
});
