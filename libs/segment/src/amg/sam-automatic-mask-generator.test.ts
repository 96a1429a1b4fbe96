import { describe, expect, it } from 'vitest';
import { decodeRle, rleArea, rleToBboxSam } from '../rle/index';
import type { BinaryMask, CompressedRle, UncompressedRle } from '../rle/rle.types';
import { rleIou } from '../rle-ops/index';
import { encodeMask } from '../rle/rle-encode';
import { generateCropBoxes } from './crop-boxes';
import { OracleAmgModel, type OracleOptions } from '../testing/oracle-amg-model';
import { toyInstances } from '../testing/toy-scene';
import { type AmgOptions, SamAutomaticMaskGenerator, buildSa1bImageJson } from './index';
import type { AmgRecord } from './amg-records';

const W = 160;
const H = 120;
const IMAGE = { width: W, height: H, channels: 3 as const, data: new Uint8Array(W * H * 3) };
const SCENE = toyInstances(W, H, [
  { id: 1, add: [{ kind: 'rect', x0: 8, y0: 8, x1: 72, y1: 64 }] },
  { id: 2, parentId: 1, level: 'part', add: [{ kind: 'rect', x0: 16, y0: 16, x1: 48, y1: 48 }] },
  { id: 3, parentId: 2, level: 'subpart', add: [{ kind: 'rect', x0: 20, y0: 20, x1: 36, y1: 36 }] },
  { id: 4, add: [{ kind: 'disc', cx: 125, cy: 88, r: 22 }] },
]);

function run(options: Partial<AmgOptions>, oracle: OracleOptions = {}, instances = SCENE): Promise<AmgRecord[]> {
  const model = new OracleAmgModel(instances, W, H, oracle);
  return new SamAutomaticMaskGenerator(model, { pointsPerSide: 8, outputMode: 'uncompressed_rle', ...options }).generate(IMAGE);
}

function bestIou(rec: AmgRecord, masks: readonly BinaryMask[]): number {
  return Math.max(...masks.map((m) => rleIou(rec.segmentation as UncompressedRle, encodeMask(m))));
}

describe('SamAutomaticMaskGenerator with the oracle model', () => {
  it('recovers every instance exactly once with SAM-convention records', async () => {
    const records = await run({});
    expect(records).toHaveLength(4);
    for (const inst of SCENE) {
      const matches = records.filter((r) => rleIou(r.segmentation as UncompressedRle, encodeMask(inst.mask)) >= 0.9);
      expect(matches).toHaveLength(1);
    }
    for (const r of records) {
      const rle = r.segmentation as UncompressedRle;
      expect(r.area).toBe(rleArea(rle));
      expect(r.bbox).toEqual(rleToBboxSam(rle));
      expect(r.crop_box).toEqual([0, 0, W, H]);
      const [[px, py]] = r.point_coords;
      expect(decodeRle(rle).data[Math.floor(py) * W + Math.floor(px)]).toBe(1);
      expect(r.stability_score).toBe(1);
    }
    // within-crop NMS orders by predicted IoU: wholes (0.96) before the part and sub-part
    expect(records.map((r) => r.predicted_iou)).toEqual([0.96, 0.96, 0.95, 0.94].map(Math.fround));
  });

  it('applies predicted IoU with > and skips the filter at 0', async () => {
    expect(await run({}, { iou: { whole: 0.88, part: 0.88, subpart: 0.88 } })).toHaveLength(0);
    expect(await run({ predIouThresh: 0.87 }, { iou: { whole: 0.88, part: 0.88, subpart: 0.88 } })).toHaveLength(4);
    // disabled filter: the background mask (IoU 0.5) survives too
    const all = await run({ predIouThresh: 0 });
    expect(all).toHaveLength(5);
  });

  it('applies stability with ≥ on float32 values', async () => {
    // soft boundary: stability of the 16×16 sub-part is (14·14)/(16·16)
    const s = Math.fround(196 / 256);
    const soft = { boundaryLogit: 0.5 };
    const at = await run({ stabilityScoreThresh: s }, soft);
    expect(at.some((r) => r.stability_score === s)).toBe(true);
    const above = await run({ stabilityScoreThresh: 196 / 256 + 1e-6 }, soft);
    expect(above.some((r) => r.stability_score === s)).toBe(false);
  });

  it('drops crop-edge masks, prefers smaller crops across crops, and bounds decoder batches', async () => {
    const model = new OracleAmgModel(SCENE, W, H);
    const gen = new SamAutomaticMaskGenerator(model, { pointsPerSide: 8, cropNLayers: 1, outputMode: 'coco_rle' }, 'sam-default', {
      maxLogitsBytesPerCall: 3 * W * H * 4, // one point per call at full resolution
    });
    const { records, stats } = await gen.generateWithStats(IMAGE);
    expect(stats.crops).toBe(5);
    const { boxes, layers } = generateCropBoxes(H, W, 1, 512 / 1500);
    // each 64-point batch is split so one call returns at most one full-resolution point's logits
    const perCall = boxes.map(([x0, y0, x1, y1]) => Math.floor((W * H) / ((x1 - x0) * (y1 - y0))));
    expect(stats.points).toBe(5 * 64);
    expect(stats.decodeCalls).toBe(perCall.reduce((sum, n) => sum + Math.ceil(64 / n), 0));
    for (const r of records) {
      const [cx, cy, cw, ch] = r.crop_box;
      const layer = layers[boxes.findIndex((b) => b[0] === cx && b[1] === cy && b[2] - b[0] === cw && b[3] - b[1] === ch)]!;
      if (layer === 0) continue;
      const [x, y, w, h] = r.bbox;
      const nearInner = (v: number, edge: number, imageEdge: number): boolean => Math.abs(v - edge) <= 20 && Math.abs(v - imageEdge) > 20;
      expect(nearInner(x, cx, 0) || nearInner(y, cy, 0) || nearInner(x + w, cx + cw, W) || nearInner(y + h, cy + ch, H)).toBe(false);
    }
    // the outer rectangle ends 17 px above the inner edge of crop [0, 0, 100, 80]: dropped there, kept from layer 0
    expect(records.find((r) => bestIou(r, [SCENE[0]!.mask]) === 1)!.crop_box).toEqual([0, 0, W, H]);
    // the disc lies inside the bottom-right layer-1 crop, which wins over the full image
    const disc = records.find((r) => bestIou(r, [SCENE[3]!.mask]) === 1)!;
    expect(disc.crop_box[2] * disc.crop_box[3]).toBeLessThan(W * H);
    expect(typeof (disc.segmentation as CompressedRle).counts).toBe('string');
    // every instance still found exactly once
    for (const inst of SCENE) expect(records.filter((r) => bestIou(r, [inst.mask]) >= 0.9)).toHaveLength(1);
  });

  it('removes small holes and islands, rescoring through NMS', async () => {
    const scene = toyInstances(W, H, [
      {
        id: 1,
        add: [
          { kind: 'rect', x0: 10, y0: 10, x1: 90, y1: 90 },
          { kind: 'rect', x0: 120, y0: 20, x1: 125, y1: 25 }, // 25 px island
        ],
        cut: [{ kind: 'rect', x0: 40, y0: 40, x1: 43, y1: 43 }], // 9 px hole
      },
    ]);
    const plain = await run({}, {}, scene);
    expect(plain).toHaveLength(1);
    expect(plain[0]!.area).toBe(80 * 80 - 9 + 25);
    const cleaned = await run({ minMaskRegionArea: 30 }, {}, scene);
    expect(cleaned).toHaveLength(1);
    expect(cleaned[0]!.area).toBe(80 * 80);
    expect(cleaned[0]!.bbox).toEqual([10, 10, 79, 79]);
    expect(cleaned[0]!.predicted_iou).toBe(plain[0]!.predicted_iou);
  });

  it('writes binary masks and SA-1B JSON with ids', async () => {
    const records = await run({ outputMode: 'binary_mask' });
    expect((records[0]!.segmentation as BinaryMask).data).toHaveLength(W * H);
    const json = buildSa1bImageJson({ imageId: 7, width: W, height: H }, records, { firstAnnotationId: 100 });
    expect(json.image).toEqual({ image_id: 7, width: W, height: H, file_name: 'sa_7.jpg' });
    expect(json.annotations.map((a) => a.id)).toEqual([100, 101, 102, 103]);
    expect(Object.keys(json.annotations[0]!)).toEqual(['id', 'segmentation', 'bbox', 'area', 'predicted_iou', 'stability_score', 'crop_box', 'point_coords']);
    expect(decodeRle(json.annotations[0]!.segmentation)).toEqual(records[0]!.segmentation);
  });

  it('rejects a model that returns the wrong shape', async () => {
    const model = new OracleAmgModel(SCENE, W, H);
    const broken = { ...model, embedCrop: model.embedCrop.bind(model), release: model.release.bind(model), predictMultimask: async () => ({ count: 1, height: 2, width: 2, logits: new Float32Array(12), iou: new Float32Array(3) }) };
    await expect(new SamAutomaticMaskGenerator(broken, { pointsPerSide: 2 }).generate(IMAGE)).rejects.toThrow(/returned count 1, expected 4; masks 2x2, expected the crop size 120x160/);
  });
});
