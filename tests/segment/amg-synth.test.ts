import { type AmgRecord, SamAutomaticMaskGenerator, type UncompressedRle, boxIouXyxy, encodeMask, removeSmallRegions, rleIou } from '@dataengine/segment';
import { OracleAmgModel } from '@dataengine/segment/testing';
import { type Scene, generateScene } from '@dataengine/synth';
import { describe, expect, it } from 'vitest';

// AMG end to end on @dataengine/synth scenes with the ground-truth oracle model. Lives outside
// libs/segment because synth depends on segment (a lib test importing synth would be a cycle).

function image(scene: Scene): { width: number; height: number; channels: 3; data: Uint8Array } {
  return { width: scene.width, height: scene.height, channels: 3, data: scene.rgb };
}

function matchStats(scene: Scene, records: AmgRecord[]): { precision: number; recall: number } {
  const gts = scene.instances.map((i) => encodeMask(i.mask));
  const best = (r: AmgRecord): number => Math.max(...gts.map((g) => rleIou(r.segmentation as UncompressedRle, g)));
  const matched = records.filter((r) => best(r) >= 0.9).length;
  const found = gts.filter((g) => records.some((r) => rleIou(r.segmentation as UncompressedRle, g) >= 0.9)).length;
  return { precision: matched / records.length, recall: found / gts.length };
}

describe('SamAutomaticMaskGenerator on synthetic scenes (oracle model)', () => {
  it('recovers the instances with sam-default settings, without duplicates', async () => {
    for (const seed of [1, 2]) {
      const scene = generateScene({ seed, width: 224, height: 168 });
      const gen = new SamAutomaticMaskGenerator(new OracleAmgModel(scene.instances, scene.width, scene.height), { outputMode: 'uncompressed_rle' });
      const records = await gen.generate(image(scene));
      const { precision, recall } = matchStats(scene, records);
      expect(precision).toBe(1);
      expect(recall).toBeGreaterThanOrEqual(0.85);
      // within-crop NMS: no two kept boxes overlap by more than box_nms_thresh
      const boxes = records.map((r) => [r.bbox[0], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3]]);
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(boxIouXyxy(boxes[i]!, boxes[j]!)).toBeLessThanOrEqual(0.7);
    }
  });

  it('runs the sa1b preset: 21 crops, crop boxes attached, no region below 100 px', async () => {
    const scene = generateScene({ seed: 4, width: 240, height: 160 });
    const gen = new SamAutomaticMaskGenerator(new OracleAmgModel(scene.instances, scene.width, scene.height), { outputMode: 'coco_rle' }, 'sa1b');
    const { records, stats } = await gen.generateWithStats(image(scene));
    expect(stats.crops).toBe(21);
    expect(stats.points).toBe(1024 + 4 * 256 + 16 * 64);
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.crop_box.join(','))).size).toBeGreaterThan(1);
    for (const r of records) {
      expect(removeSmallRegions(r.segmentation as never, 100, 'holes').changed).toBe(false);
      // islands: either none is small, or a single (largest-kept) component remains
      const islands = removeSmallRegions(r.segmentation as never, 100, 'islands');
      if (islands.changed) expect(islands.rle.counts.length).toBeLessThanOrEqual(3);
    }
    expect(matchStats(scene, records).precision).toBeGreaterThanOrEqual(0.9);
  });
});
