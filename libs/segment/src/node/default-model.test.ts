import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PredictorAmgModel } from '../amg/predictor-amg-model';
import { SamAutomaticMaskGenerator } from '../amg/sam-automatic-mask-generator';
import { pipelineConfigFromManifest } from '../bundle/bundle-manifest.schema';
import { firstClick } from '../metrics/click-simulation';
import { evaluateBundle, exclusiveBox } from '../metrics/evaluate-bundle';
import { maskIou } from '../metrics/mask-iou';
import { upscaleLowResLogits } from '../pipeline/mask-upscale';
import { SamPredictor } from '../pipeline/sam-predictor';
import { closeAllBundles, openBundle } from './open-bundle';

// The built-in model (trainer output, models/default) through the same pipeline, once it exists.
const DEFAULT_DIR = fileURLToPath(new URL('../../../../models/default/', import.meta.url));
const present = existsSync(`${DEFAULT_DIR}manifest.json`);

afterAll(() => closeAllBundles());

describe.skipIf(!present)('models/default bundle', () => {
  it('validates against the contract and segments a bright square from one click', async () => {
    const { predictor, manifest } = await openBundle(DEFAULT_DIR, { intraOpNumThreads: 2 });
    expect(manifest.embedding_shape).toEqual([256, 64, 64]);
    const W = 256;
    const H = 192;
    const data = new Uint8Array(W * H * 3).fill(30);
    for (let y = 60; y < 140; y++) for (let x = 80; x < 180; x++) data.fill(230, (y * W + x) * 3, (y * W + x) * 3 + 3);
    const embedding = await predictor.embedImage({ width: W, height: H, channels: 3, data });
    const { masks } = await predictor.decode(embedding, { points: [{ x: 130, y: 100, label: 1 }] }, { multimask: true });
    expect(masks.map((m) => m.channel)).toEqual([1, 2, 3]);
    for (const m of masks) {
      expect(m.predictedIou).toBeGreaterThan(-1);
      expect(m.stabilityScore).toBeGreaterThanOrEqual(0);
    }
    // the best candidate covers the clicked pixel
    const best = masks.reduce((a, b) => (b.predictedIou > a.predictedIou ? b : a));
    expect(best.mask.data[100 * W + 130]).toBe(1);
  });

  it('its masks output is the §1.5 upscaling of low_res_masks', async () => {
    const { predictor } = await openBundle(DEFAULT_DIR, { intraOpNumThreads: 2 });
    const H = 150;
    const W = 225;
    const data = new Uint8Array(W * H * 3).map((_, i) => (i * 7) % 251);
    const embedding = await predictor.embedImage({ width: W, height: H, channels: 3, data });
    const { outputs } = await predictor.decodeLogits(embedding, { points: [{ x: 70, y: 80, label: 1 }] });
    for (let c = 0; c < 4; c++) {
      const up = upscaleLowResLogits(outputs.lowResMasks.data.subarray(c * 65536, (c + 1) * 65536), 256, H, W);
      const masks = outputs.masks.data.subarray(c * H * W, (c + 1) * H * W);
      let err = 0;
      for (let i = 0; i < H * W; i++) err = Math.max(err, Math.abs(up[i]! - masks[i]!));
      expect(err).toBeLessThan(1e-3);
    }
  });

  it('the interactive decoder gives the contract decoder masks (clicks, box, mask prompt; small and large frames)', async () => {
    const { predictor, backend, manifest } = await openBundle(DEFAULT_DIR, { intraOpNumThreads: 2 });
    const contract = new SamPredictor(backend, pipelineConfigFromManifest(manifest), { interactive: false });
    for (const [W, H] of [[225, 150], [1024, 768], [700, 1100]] as const) {
      const data = new Uint8Array(W * H * 3).fill(35);
      for (let y = Math.round(H * 0.3); y < Math.round(H * 0.7); y++) for (let x = Math.round(W * 0.2); x < Math.round(W * 0.6); x++) data.fill(215, (y * W + x) * 3, (y * W + x) * 3 + 3);
      const embedding = await predictor.embedImage({ width: W, height: H, channels: 3, data });
      const click = { x: Math.round(W * 0.4), y: Math.round(H * 0.5), label: 1 as const };
      const first = await contract.decode(embedding, { points: [click] });
      const prompts = [
        { points: [click] },
        { points: [click, { x: Math.round(W * 0.8), y: Math.round(H * 0.2), label: 0 as const }] },
        { box: [W * 0.15, H * 0.25, W * 0.65, H * 0.75] as [number, number, number, number] },
        { points: [click], maskInput: first.masks[0]!.lowResLogits },
      ];
      for (const prompt of prompts) {
        const fast = await predictor.decode(embedding, prompt, { multimask: true });
        const slow = await contract.decode(embedding, prompt, { multimask: true });
        expect(fast.masks.map((m) => m.channel)).toEqual(slow.masks.map((m) => m.channel));
        for (const [i, m] of fast.masks.entries()) {
          const s = slow.masks[i]!;
          expect(m.predictedIou).toBeCloseTo(s.predictedIou, 5);
          let differing = 0;
          for (let p = 0; p < m.mask.data.length; p++) if (m.mask.data[p] !== s.mask.data[p]) differing++;
          // float32 rounding can flip a pixel whose logit is within ~1e-6 of 0
          expect(differing).toBeLessThanOrEqual(Math.ceil(W * H * 1e-5));
          expect(Math.abs(m.area - s.area)).toBeLessThanOrEqual(Math.ceil(W * H * 1e-5));
          expect(m.stabilityScore).toBeCloseTo(s.stabilityScore, 4);
        }
      }
    }
  });

  it('automatic mask generation through the interactive decoder keeps the contract decoder records', async () => {
    const { predictor, backend, manifest } = await openBundle(DEFAULT_DIR, { intraOpNumThreads: 2 });
    const contract = new SamPredictor(backend, pipelineConfigFromManifest(manifest), { interactive: false });
    const W = 320;
    const H = 240;
    const data = new Uint8Array(W * H * 3).fill(40);
    for (let y = 40; y < 150; y++) for (let x = 30; x < 140; x++) data.fill(220, (y * W + x) * 3, (y * W + x) * 3 + 3);
    for (let y = 90; y < 200; y++) for (let x = 180; x < 300; x++) if ((x - 240) ** 2 + (y - 145) ** 2 < 50 ** 2) data.fill(120, (y * W + x) * 3, (y * W + x) * 3 + 2);
    const opts = { pointsPerSide: 6, predIouThresh: 0.2, stabilityScoreThresh: 0.3, outputMode: 'binary_mask' as const };
    const image = { width: W, height: H, channels: 3 as const, data };
    const fast = await new SamAutomaticMaskGenerator(new PredictorAmgModel(predictor), opts).generate(image);
    const slow = await new SamAutomaticMaskGenerator(new PredictorAmgModel(contract), opts).generate(image);
    expect(fast.length).toBeGreaterThan(0);
    expect(fast.length).toBe(slow.length);
    for (const [i, r] of fast.entries()) {
      const s = slow[i]!;
      expect(r.predicted_iou).toBeCloseTo(s.predicted_iou, 5);
      expect(r.stability_score).toBeCloseTo(s.stability_score, 3);
      const a = (r.segmentation as { data: Uint8Array }).data;
      const b = (s.segmentation as { data: Uint8Array }).data;
      let differing = 0;
      for (let p = 0; p < a.length; p++) if (a[p] !== b[p]) differing++;
      expect(differing).toBeLessThanOrEqual(2);
    }
  });

  it('evaluation reports the one-click calibration and the box-prompt mIoU of what the pipeline returns', async () => {
    const { predictor } = await openBundle(DEFAULT_DIR, { intraOpNumThreads: 2 });
    const W = 256;
    const H = 192;
    const data = new Uint8Array(W * H * 3).fill(30);
    const rect = { width: W, height: H, data: new Uint8Array(W * H) };
    const round = { width: W, height: H, data: new Uint8Array(W * H) };
    for (let y = 30; y < 100; y++) for (let x = 20; x < 110; x++) (data.fill(230, (y * W + x) * 3, (y * W + x) * 3 + 3), (rect.data[y * W + x] = 1));
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 180) ** 2 + (y - 130) ** 2 < 40 ** 2) (data.fill(140, (y * W + x) * 3, (y * W + x) * 3 + 2), (round.data[y * W + x] = 1));
    const image = { width: W, height: H, channels: 3 as const, data };
    const r = await evaluateBundle(predictor, [{ id: 'shapes', image, objects: [{ mask: rect, whole: true }, { mask: round, whole: true }] }], { maxClicks: 3 });

    // the same numbers, asked of the predictor directly: one click at the object's centre, then its box
    const embedding = await predictor.embedImage(image);
    const pairs = [];
    const boxIous = [];
    for (const gt of [rect, round]) {
      const c = firstClick(gt)!;
      const one = (await predictor.decode(embedding, { points: [{ x: c.x, y: c.y, label: 1 }] }, { multimask: false })).masks[0]!;
      pairs.push({ predicted: one.predictedIou, actual: maskIou(gt, one.mask) });
      const boxed = (await predictor.decode(embedding, { box: exclusiveBox(gt)! }, { multimask: false })).masks[0]!;
      boxIous.push(maskIou(gt, boxed.mask));
    }
    expect(r.miouAt[1]).toBeCloseTo((pairs[0]!.actual + pairs[1]!.actual) / 2, 9);
    expect(r.calibrationError).toBeCloseTo((Math.abs(pairs[0]!.predicted - pairs[0]!.actual) + Math.abs(pairs[1]!.predicted - pairs[1]!.actual)) / 2, 9);
    expect(r.calibration.reduce((n, b) => n + b.count, 0)).toBe(2);
    for (const p of pairs) {
      const bin = r.calibration[Math.min(9, Math.max(0, Math.floor(p.predicted * 10)))]!;
      expect(bin.count).toBeGreaterThan(0);
    }
    expect(r.boxMiou).toBeCloseTo((boxIous[0]! + boxIous[1]!) / 2, 9);
    // a trained model finds a bright rectangle from its box
    expect(boxIous[0]).toBeGreaterThan(0.5);
  });
});
