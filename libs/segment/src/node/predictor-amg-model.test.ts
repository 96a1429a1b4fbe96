import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmgModel } from '../amg/amg-model';
import { PredictorAmgModel } from '../amg/predictor-amg-model';
import { SamAutomaticMaskGenerator } from '../amg/sam-automatic-mask-generator';
import type { RgbImage } from '../pipeline/image-resize';
import type { ImageEmbedding } from '../pipeline/prompt.types';
import { SamPredictor } from '../pipeline/sam-predictor';
import { resizeLongestSide } from '../pipeline/resize-geometry';
import { decodeRle } from '../rle/rle-decode';
import { CONTRACT_IOU, contractLogit, writeContractBundle } from '../testing/index';
import { closeAllBundles, openBundle, type OpenBundle } from './open-bundle';

// PredictorAmgModel = the AmgModel over SamPredictor, run through onnxruntime-node on the contract
// bundle, whose decoder draws a disc of radius R_k (S-frame px) around the first prompt point.
const W = 256;
const H = 192;
const image: RgbImage = { width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3).map((_, i) => (i * 31) % 251) };

let root: string;
let open: OpenBundle;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segment-amg-model-'));
  open = await openBundle(await writeContractBundle(join(root, 'bundle')), { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await closeAllBundles();
  await rm(root, { recursive: true, force: true });
});

describe('PredictorAmgModel (contract bundle)', () => {
  it('decodes each point as its own prompt at crop resolution: channels 1–3 and their IoUs', async () => {
    // the contract decoder's own full-resolution `masks` (this fixture computes them analytically)
    const model = new PredictorAmgModel(new SamPredictor(open.backend, open.predictor.config, { interactive: false }));
    // a crop [40, 30, 200, 150] of the image: 160×120, so orig_im_size = (120, 160)
    const crop: RgbImage = { width: 160, height: 120, channels: 3, data: new Uint8Array(160 * 120 * 3).fill(90) };
    const handle = await model.embedCrop(crop, { cropBox: [40, 30, 200, 150], layer: 1, imageWidth: W, imageHeight: H });
    expect([handle.imageHeight, handle.imageWidth]).toEqual([120, 160]);
    const points = [
      [20, 30],
      [100.5, 60],
      [150, 110],
    ] as const;
    const pred = await model.predictMultimask(handle, points);
    expect([pred.count, pred.height, pred.width, pred.logits!.length]).toEqual([3, 120, 160, 3 * 3 * 120 * 160]);
    expect([...pred.iou]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3].map((c) => Math.fround(CONTRACT_IOU[c]!)));
    const g = resizeLongestSide(120, 160);
    const plane = 120 * 160;
    points.forEach(([px, py], p) => {
      const p0: [number, number] = [px * (g.resizedWidth / 160), py * (g.resizedHeight / 120)];
      for (let m = 0; m < 3; m++) {
        for (const [x, y] of [[px, py], [0, 0], [159, 119], [77, 41]] as const) {
          const got = pred.logits![(p * 3 + m) * plane + Math.floor(y) * 160 + Math.floor(x)]!;
          expect(got).toBeCloseTo(contractLogit(m + 1, Math.floor(x), Math.floor(y), p0, 120, 160), 3);
        }
      }
    });
    expect(model.timings.decoderRuns).toBe(3);
    await model.release();

    // through the interactive decoder: channels 1–3 of low_res_masks (upscaled later, only when kept)
    const fast = new PredictorAmgModel(open.predictor);
    const low = await fast.predictMultimask(handle, points);
    expect(low.logits).toBeUndefined();
    expect([...low.iou]).toEqual([...pred.iou]);
    expect([low.lowRes!.size, low.lowRes!.imageSize, low.lowRes!.data.length]).toEqual([256, 1024, 3 * 3 * 256 * 256]);
    const contract = new SamPredictor(open.backend, open.predictor.config, { interactive: false });
    for (const [p, [x, y]] of points.entries()) {
      const { outputs } = await contract.decodeLogits(handle, { points: [{ x, y, label: 1 }] });
      const want = outputs.lowResMasks.data.subarray(256 * 256, 4 * 256 * 256);
      const got = low.lowRes!.data.subarray(p * 3 * 256 * 256, (p + 1) * 3 * 256 * 256);
      let differing = 0;
      for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) differing++;
      expect(differing).toBe(0);
    }
  });

  it('runs the generator end to end, one point per call; a batching caller gets the same records', async () => {
    const opts = { pointsPerSide: 4, stabilityScoreThresh: 0.5, cropNLayers: 1, outputMode: 'coco_rle' as const };
    const model = new PredictorAmgModel(open.predictor);
    const { records, stats } = await new SamAutomaticMaskGenerator(model, opts).generateWithStats(image);
    expect(stats.crops).toBe(5);
    expect(stats.points).toBe(5 * 16);
    expect(model.timings.decoderRuns).toBe(5 * 16);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      // only channel 2 (IoU 0.9) passes pred_iou_thresh 0.88
      expect(r.predicted_iou).toBe(Math.fround(CONTRACT_IOU[2]));
      const mask = decodeRle(r.segmentation as { size: [number, number]; counts: string });
      const [[px, py]] = r.point_coords as [[number, number]];
      expect(mask.data[Math.floor(py) * W + Math.floor(px)]).toBe(1);
    }
    // one point per call (views onto each decoder output) …
    expect(stats.decodeCalls).toBe(5 * 16);
    // … or, for a generator that batches (the model's point limit hidden), copies into one buffer: same records
    const inner = new PredictorAmgModel(open.predictor);
    const batching: AmgModel<ImageEmbedding> = { embedCrop: (c, x) => inner.embedCrop(c, x), predictMultimask: (h, p) => inner.predictMultimask(h, p), release: () => inner.release() };
    const batched = await new SamAutomaticMaskGenerator(batching, opts).generateWithStats(image);
    expect(batched.stats.decodeCalls).toBe(5); // 16 points < points_per_batch: one call per crop
    expect(batched.records).toEqual(records);
  });

  it('refuses a crop that does not match its crop box', async () => {
    const model = new PredictorAmgModel(open.predictor);
    await expect(model.embedCrop(image, { cropBox: [0, 0, 10, 10], layer: 1, imageWidth: W, imageHeight: H })).rejects.toThrow(/crop is 256x192 but its crop box \[0, 0, 10, 10\] is 10x10/);
  });
});
