import { measurePolygonAreaError } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import { describe, expect, it } from 'vitest';

// Polygon export measured on synthetic instance masks (holes, islands, parts, occlusion).
describe('mask ↔ polygon area error on synthetic masks', () => {
  const masks = [1, 2, 3].flatMap((seed) => generateScene({ seed, width: 320, height: 240 }).instances.map((i) => i.mask));

  it('is exact at tolerance 0 and 0.5 px', () => {
    for (const tolerance of [0, 0.5]) {
      for (const m of masks) expect(measurePolygonAreaError(m, { tolerance }).differingPixels).toBe(0);
    }
  });

  it('stays within the measured bound at 1 px tolerance', () => {
    const errs = masks.map((m) => measurePolygonAreaError(m, { tolerance: 1 }));
    const large = errs.filter((e) => e.maskArea >= 1000);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    // measured (35 masks, seeds 1–3; 4180 vertices at tolerance 0, 3460 at 0.5, 654 at 1):
    // all masks mean 1.96 %, max 11.0 % (a 28 px sub-part); the 14 masks ≥ 1000 px mean 0.44 %,
    // max 2.0 %, IoU ≥ 0.965
    expect(mean(errs.map((e) => e.relativeAreaError))).toBeLessThan(0.025);
    expect(mean(large.map((e) => e.relativeAreaError))).toBeLessThan(0.01);
    expect(Math.max(...large.map((e) => e.relativeAreaError))).toBeLessThan(0.025);
    expect(Math.min(...large.map((e) => e.iou))).toBeGreaterThan(0.95);
  });
});
