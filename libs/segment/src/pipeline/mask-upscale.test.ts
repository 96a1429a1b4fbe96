import { describe, expect, it } from 'vitest';
import { resizeBilinearHalfPixel, upscaleLowResLogits } from './mask-upscale';

describe('resizeBilinearHalfPixel (align_corners=False, no antialias; SAM-SPEC.md §1.5)', () => {
  it('src = (dst + 0.5)·in/out − 0.5, clamped at the border', () => {
    expect(Array.from(resizeBilinearHalfPixel(Float32Array.from([0, 1]), 2, 1, 2, 1, 4))).toEqual([0, 0.25, 0.75, 1]);
    // downscale samples between pixels, without averaging the rest (no antialias)
    expect(Array.from(resizeBilinearHalfPixel(Float32Array.from([0, 1, 2, 3]), 4, 1, 4, 1, 2))).toEqual([0.5, 2.5]);
    // vertical too, reading the top-left region of a wider plane
    expect(Array.from(resizeBilinearHalfPixel(Float32Array.from([0, 9, 2, 9]), 2, 2, 1, 4, 1))).toEqual([0, 0.5, 1.5, 2]);
  });
});

describe('upscaleLowResLogits (256 → 1024 → crop h′×w′ → H×W)', () => {
  it('keeps constants and the orientation of a ramp; output has the original size', () => {
    const flat = upscaleLowResLogits(new Float32Array(256 * 256).fill(-2.5), 256, 480, 640);
    expect(flat).toHaveLength(480 * 640);
    expect(flat.every((v) => v === -2.5)).toBe(true);
    // ramp along x in the low-res frame: the 1500×2250 image uses the 683×1024 crop of the frame
    const ramp = Float32Array.from({ length: 256 * 256 }, (_, i) => i % 256);
    const up = upscaleLowResLogits(ramp, 256, 1500, 2250);
    expect(up).toHaveLength(1500 * 2250);
    expect(up[0]).toBe(0);
    expect(up[2249]).toBe(255);
    const mid = up[750 * 2250 + 1125]!;
    expect(mid).toBeGreaterThan(126);
    expect(mid).toBeLessThan(129);
  });

  it('only uses the un-padded part of the frame (1500×2250 → rows 0..170 of 256)', () => {
    const lowRes = new Float32Array(256 * 256);
    for (let r = 0; r < 256; r++) lowRes.fill(r < 171 ? 1 : 1000, r * 256, (r + 1) * 256);
    const up = upscaleLowResLogits(lowRes, 256, 1500, 2250);
    expect(up.subarray(0, 1400 * 2250).every((v) => v === 1)).toBe(true);
    // the crop ends at row 683 of 1024 (low-res 170.75): the last row only blends in 1/8 of row 171
    expect(up[1499 * 2250]).toBeCloseTo(1 + 0.125 * 999, 3);
  });
});
