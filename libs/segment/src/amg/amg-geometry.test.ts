import { describe, expect, it } from 'vitest';
import { buildAllLayerPointGrids, buildPointGrid, generateCropBoxes } from './crop-boxes';
import { boxNms } from './box-nms';
import { amgStabilityScore, isBoxNearCropEdge, passesPredIou, passesStability, thresholdLogitsInto } from './mask-scoring';
import { AMG_SA1B_OPTIONS, AMG_SAM_DEFAULT_OPTIONS, resolveAmgOptions } from './amg-options';

describe('generateCropBoxes (SAM-SPEC §3.2)', () => {
  it('reproduces the worked example H=1500, W=2250, 2 layers', () => {
    const { boxes, layers } = generateCropBoxes(1500, 2250, 2, 512 / 1500);
    expect(boxes).toHaveLength(21);
    expect(layers).toEqual([0, 1, 1, 1, 1, ...Array(16).fill(2)]);
    expect(boxes[0]).toEqual([0, 0, 2250, 1500]);
    // layer 1: ov 512, cw 1381, ch 1006; x outer, y inner
    expect(boxes.slice(1, 5)).toEqual([
      [0, 0, 1381, 1006],
      [0, 494, 1381, 1500],
      [869, 0, 2250, 1006],
      [869, 494, 2250, 1500],
    ]);
    // layer 2: ov 256, cw 755, ch 567, x0 ∈ {0,499,998,1497}, y0 ∈ {0,311,622,933}
    const l2 = boxes.slice(5);
    expect(l2.map((b) => b[0])).toEqual([0, 0, 0, 0, 499, 499, 499, 499, 998, 998, 998, 998, 1497, 1497, 1497, 1497]);
    expect(l2.slice(0, 4).map((b) => b[1])).toEqual([0, 311, 622, 933]);
    expect(l2[1]).toEqual([0, 311, 755, 878]);
    expect(l2[15]).toEqual([1497, 933, 2250, 1500]);
    expect(l2[12]![2] - l2[12]![0]).toBe(753);
  });

  it('matches the SA-1B record of §5.2 (crop box and 8×8 grid point)', () => {
    const { boxes } = generateCropBoxes(1500, 2000, 2, 512 / 1500);
    expect(boxes).toContainEqual([436, 622, 436 + 692, 622 + 567]);
    const grid = buildAllLayerPointGrids(32, 2, 2)[2]!;
    const [gx, gy] = grid[2 * 8 + 4]!;
    expect(436 + gx * 692).toBe(825.25);
    expect(622 + gy * 567).toBe(799.1875);
  });

  it('builds grids row by row with (k + 0.5)/n and 32/16/8 per layer for sa1b', () => {
    const g = buildPointGrid(4);
    expect(g.slice(0, 5)).toEqual([[0.125, 0.125], [0.375, 0.125], [0.625, 0.125], [0.875, 0.125], [0.125, 0.375]]);
    expect(buildPointGrid(1)).toEqual([[0.5, 0.5]]);
    const g32 = buildPointGrid(32);
    for (let k = 0; k < 32; k++) expect(g32[k]![0]).toBe((k + 0.5) / 32);
    expect(buildAllLayerPointGrids(32, 2, 2).map((x) => x.length)).toEqual([1024, 256, 64]);
  });
});

describe('AMG options (SAM-SPEC §3.1)', () => {
  it('has the library defaults and the sa1b preset', () => {
    expect(resolveAmgOptions()).toEqual({ ...AMG_SAM_DEFAULT_OPTIONS });
    expect(AMG_SAM_DEFAULT_OPTIONS).toMatchObject({
      pointsPerSide: 32, pointsPerBatch: 64, predIouThresh: 0.88, stabilityScoreThresh: 0.95, stabilityScoreOffset: 1,
      boxNmsThresh: 0.7, cropNLayers: 0, cropNmsThresh: 0.7, cropNPointsDownscaleFactor: 1, pointGrids: null,
      minMaskRegionArea: 0, outputMode: 'binary_mask',
    });
    expect(AMG_SAM_DEFAULT_OPTIONS.cropOverlapRatio).toBe(512 / 1500);
    expect(resolveAmgOptions({}, 'sa1b')).toMatchObject({ cropNLayers: 2, cropNPointsDownscaleFactor: 2, minMaskRegionArea: 100 });
    expect(AMG_SA1B_OPTIONS.pointsPerSide).toBe(32);
  });

  it('requires exactly one of pointsPerSide and pointGrids', () => {
    expect(resolveAmgOptions({ pointGrids: [[[0.5, 0.5]]] }).pointsPerSide).toBeNull();
    expect(() => resolveAmgOptions({ pointsPerSide: 8, pointGrids: [[[0.5, 0.5]]] })).toThrow(/exactly one of pointsPerSide/);
    expect(() => resolveAmgOptions({ pointsPerSide: null })).toThrow(/exactly one/);
    expect(() => resolveAmgOptions({ pointGrids: [[[0.5, 0.5]]], cropNLayers: 1 })).toThrow(/one grid per layer \(2\)/);
    expect(() => resolveAmgOptions({ outputMode: 'png' as never })).toThrow(/outputMode/);
    expect(() => resolveAmgOptions({ pointsPerSide: 4, cropNLayers: 3, cropNPointsDownscaleFactor: 2 })).toThrow(/leaves no points/);
  });
});

describe('mask scoring operators (SAM-SPEC §3.3, §9.8)', () => {
  it('stability = #{L > 1} / #{L > −1}, 0/0 → 0, float32', () => {
    const l = new Float32Array([2, 1, 0.5, -1, -2, 3]);
    expect(amgStabilityScore(l, 0, 6, 1)).toBe(Math.fround(2 / 4));
    expect(amgStabilityScore(l, 3, 2, 1)).toBe(0);
    expect(amgStabilityScore(new Float32Array([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0]), 0, 20, 1)).toBe(Math.fround(19 / 20));
  });

  it('pred IoU uses > and stability uses ≥, both compared in float32 like torch', () => {
    expect(passesPredIou(Math.fround(0.88), 0.88)).toBe(false);
    expect(passesPredIou(0.8800001, 0.88)).toBe(true);
    expect(passesStability(Math.fround(19 / 20), 0.95)).toBe(true); // 0.949999988 ≥ float32(0.95)
    expect(passesStability(Math.fround(0.9499999), 0.95)).toBe(false);
  });

  it('crop-edge filter: layer 0 never drops; inner crop edges drop, image edges do not', () => {
    expect(isBoxNearCropEdge([0, 0, 399, 199], [0, 0, 400, 200], 400, 200)).toBe(false);
    expect(isBoxNearCropEdge([5, 50, 60, 90], [0, 0, 400, 200], 400, 200)).toBe(false);
    const crop: [number, number, number, number] = [100, 0, 300, 200];
    expect(isBoxNearCropEdge([20, 50, 60, 90], crop, 400, 200)).toBe(true); // x0 = 120: |120 − 100| ≤ 20
    expect(isBoxNearCropEdge([21, 50, 60, 90], crop, 400, 200)).toBe(false);
    expect(isBoxNearCropEdge([30, 0, 60, 90], crop, 400, 200)).toBe(false); // y0 = 0 is an image edge
    expect(isBoxNearCropEdge([30, 50, 180, 90], crop, 400, 200)).toBe(true); // x1 = 280: near crop x1 = 300
  });
});

describe('boxNms (torchvision semantics)', () => {
  it('suppresses IoU > thr only, in descending score order with stable ties', () => {
    const boxes = [0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 6, 50, 50, 60, 60];
    expect(boxNms(boxes, [0.9, 0.8, 0.7, 0.95], 0.5)).toEqual([3, 0, 1]); // IoU 0.5 kept, 0.6 suppressed
    expect(boxNms([0, 0, 10, 10, 0, 0, 10, 10], [0.5, 0.5], 0.7)).toEqual([0]);
    expect(boxNms([1, 1, 1, 9, 1, 1, 1, 9], [0.5, 0.9], 0.7)).toEqual([1, 0]); // zero-area boxes: 0/0 never suppresses
    expect(boxNms([], [], 0.7)).toEqual([]);
  });
});

describe('thresholdLogitsInto', () => {
  it('binarises > 0 and returns the same stability as amgStabilityScore, at any alignment and length', () => {
    let seed = 1;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 6 - 3;
    for (const len of [0, 1, 3, 4, 7, 64, 1001]) {
      const logits = new Float32Array(len + 5).map(() => rand());
      logits[2] = 0;
      logits[3] = 1;
      logits[4] = -1;
      for (const byteOffset of [0, 1, 4]) {
        const out = new Uint8Array(len + byteOffset).subarray(byteOffset);
        const s = thresholdLogitsInto(logits, 2, len, 1, out);
        expect(s).toBe(amgStabilityScore(logits, 2, len, 1));
        for (let i = 0; i < len; i++) expect(out[i]).toBe(logits[2 + i]! > 0 ? 1 : 0);
      }
    }
  });
});
