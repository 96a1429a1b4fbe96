import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxDetectorConfig, detectBoxes } from '../detector/run-detector';
import { simulateClicks } from '../metrics/click-simulation';
import { evaluateBundle, exclusiveBox, type EvalScene } from '../metrics/evaluate-bundle';
import { maskIou } from '../metrics/mask-iou';
import { predictorSegmenter } from '../metrics/predictor-interactive-segmenter';
import type { RgbImage } from '../pipeline/image-resize';
import { SamPredictor } from '../pipeline/sam-predictor';
import type { BinaryMask } from '../rle/rle.types';
import { writeContractBundle } from '../testing/index';
import { closeAllBundles, openBundle, type OpenBundle } from './open-bundle';

// A 1024×1024 image: the S-frame scale is 1, so the contract decoder's channel-k mask is exactly
// the disc ‖p − p0‖ < R_k (R = 60, 20, 40, 80 for channels 0–3) around the first click (plus mean(mask_input)).
const S = 1024;
const image: RgbImage = { width: S, height: S, channels: 3, data: new Uint8Array(S * S * 3).fill(20) };
// a bright 16×16 block on embedding cell (row 10, col 20): the contract detector's only strong peak
for (let y = 160; y < 176; y++) image.data.fill(250, (y * S + 320) * 3, (y * S + 336) * 3);

function disc(cx: number, cy: number, r: number): BinaryMask {
  const data = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) data[y * S + x] = Math.hypot(x - cx, y - cy) < r ? 1 : 0;
  return { width: S, height: S, data };
}
const area = (m: BinaryMask): number => m.data.reduce((a, b) => a + b, 0);
const differing = (a: BinaryMask, b: BinaryMask): number => a.data.reduce((n, v, i) => n + (v === b.data[i] ? 0 : 1), 0);
function square(x0: number, y0: number, side: number): BinaryMask {
  const data = new Uint8Array(S * S);
  for (let y = y0; y < y0 + side; y++) data.fill(1, y * S + x0, y * S + x0 + side);
  return { width: S, height: S, data };
}

let root: string;
let open: OpenBundle;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segment-eval-'));
  open = await openBundle(await writeContractBundle(join(root, 'bundle'), 'with-detector'), { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await closeAllBundles();
  await rm(root, { recursive: true, force: true });
});

describe('predictorSegmenter (InteractiveSegmenter over SamPredictor)', () => {
  it('one click → best of channels 1–3; later clicks → channel 0 with the previous low-res mask fed back', async () => {
    const embedding = await open.predictor.embedImage(image);
    const seg = predictorSegmenter(new SamPredictor(open.backend, open.predictor.config, { interactive: false }), embedding);
    // one click: channel 2 (IoU 0.9 beats 0.6 and 0.75) = the radius-40 disc
    const first = await seg.predict([{ x: 500, y: 400, positive: true }], null);
    expect(differing(first.mask, disc(500, 400, 40))).toBe(0);
    expect(first.lowRes).toHaveLength(256 * 256);
    // two clicks without a previous mask: channel 0 (radius 60) around the first click
    const two = await seg.predict([{ x: 500, y: 400, positive: true }, { x: 530, y: 400, positive: true }], null);
    expect(differing(two.mask, disc(500, 400, 60))).toBe(0);
    // with the low-res logits fed back, the contract adds mean(mask_input) (≪ 0 here): the mask vanishes
    const fed = await seg.predict([{ x: 500, y: 400, positive: true }, { x: 530, y: 400, positive: true }], first.lowRes);
    expect(area(fed.mask)).toBe(0);
    // simulated: the radius-40 disc covers a radius-30 object; the next click is negative (in the ring)
    const run = await simulateClicks(seg, disc(500, 400, 30), 2);
    expect(run.ious[0]).toBeCloseTo(area(disc(500, 400, 30)) / area(disc(500, 400, 40)), 6);
    expect(run.clicks[1]!.positive).toBe(false);
    expect(run.ious[1]).toBe(0);
  });
});

describe('evaluateBundle', () => {
  it('mIoU@k, NoC and box AP@0.5 on a contract scene', async () => {
    const scene: EvalScene = {
      id: 'contract',
      image,
      objects: [
        { mask: disc(600, 700, 40), whole: false }, // the first click lands on its centre: IoU 1
        { mask: square(320, 160, 16), whole: true }, // the detector's block
        { mask: square(5, 5, 3), whole: false }, // 9 px < 16: not a click target
      ],
    };
    const config = boxDetectorConfig(open.manifest)!;
    expect(config).toEqual({ inputName: 'image_embeddings', boxFormat: 'ltrb', score: 'logit', inputSize: 1024 });
    const seen: (string | number)[] = [];
    const r = await evaluateBundle(new SamPredictor(open.backend, open.predictor.config, { interactive: false }), [scene], {
      maxClicks: 5,
      detect: (e) => detectBoxes(open.backend, config, e, { scoreThreshold: 0.5 }),
      onScene: (_, id) => seen.push(id),
    });
    expect(seen).toEqual(['contract']);
    expect([r.images, r.objects, r.wholeObjects]).toEqual([1, 2, 1]);
    expect(r.miouAt[1]).toBeCloseTo((1 + 256 / area(disc(328, 168, 40))) / 2, 6);
    // the disc is done in one click; the square never reaches 0.85 within 5 clicks (cap 5)
    expect(r.noc85).toBe((1 + 5) / 2);
    // ltrb 8 px around the cell centre (328, 168) = exactly the block's box [320, 160, 336, 176]
    expect(exclusiveBox(square(320, 160, 16))).toEqual([320, 160, 336, 176]);
    expect(r.detections).toBeGreaterThan(0);
    expect(r.boxAp50).toBeCloseTo(1, 9);

    // calibration of the one-click mask: both masks are channel 2, predicted IoU float32(0.9) — just
    // under 0.9, so bin [0.8, 0.9) — against true IoUs 1 and 256 / disc area
    const trueIous = [1, 256 / area(disc(328, 168, 40))];
    const predicted = Math.fround(0.9);
    expect(r.calibration).toHaveLength(10);
    expect(r.calibration.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 2, 0]);
    expect(r.calibration[8]).toMatchObject({ lo: 0.8, hi: 0.9, count: 2 });
    expect(r.calibration[8]!.predicted).toBeCloseTo(predicted, 6);
    expect(r.calibration[8]!.actual).toBeCloseTo((trueIous[0]! + trueIous[1]!) / 2, 6);
    expect(r.calibration[0]).toEqual({ lo: 0, hi: 0.1, count: 0, predicted: null, actual: null });
    expect(r.calibrationError).toBeCloseTo((Math.abs(predicted - trueIous[0]!) + Math.abs(predicted - trueIous[1]!)) / 2, 6);

    // box prompt alone: 2 corner points and no padding, so the single-mask rule (n ≤ 2) picks the
    // best of channels 1–3 — channel 2, the radius-40 disc around the contract's first point, the
    // box's top-left corner
    const discBox = exclusiveBox(disc(600, 700, 40))!;
    expect(discBox).toEqual([561, 661, 640, 740]);
    const boxIous = [maskIou(disc(600, 700, 40), disc(561, 661, 40)), maskIou(square(320, 160, 16), disc(320, 160, 40))];
    expect(r.boxMiou).toBeCloseTo((boxIous[0]! + boxIous[1]!) / 2, 6);
  });

  it('skips the box prompts when asked to', async () => {
    const scene: EvalScene = { id: 'one', image, objects: [{ mask: disc(600, 700, 40), whole: true }] };
    const r = await evaluateBundle(new SamPredictor(open.backend, open.predictor.config, { interactive: false }), [scene], { maxClicks: 1, boxPrompts: false });
    expect(r.boxMiou).toBeNull();
    expect(r.miouAt[1]).toBe(1);
  });
});
