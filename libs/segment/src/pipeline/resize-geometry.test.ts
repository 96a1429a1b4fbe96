import { describe, expect, it } from 'vitest';
import { decoderCropSize, resizeLongestSide, transformCoords } from './resize-geometry';

describe('resizeLongestSide (SAM-SPEC.md §2.1)', () => {
  it('truck.jpg 1200×1800 → 683×1024', () => {
    const g = resizeLongestSide(1200, 1800);
    expect(g.scale).toBe(1024 / 1800);
    expect([g.resizedHeight, g.resizedWidth]).toEqual([683, 1024]);
  });

  it('rounds half up with int(x + 0.5) and keeps the long side at the target', () => {
    expect(resizeLongestSide(1500, 2250)).toMatchObject({ resizedHeight: 683, resizedWidth: 1024 });
    expect(resizeLongestSide(480, 640)).toMatchObject({ resizedHeight: 768, resizedWidth: 1024 });
    expect(resizeLongestSide(2000, 1500)).toMatchObject({ resizedHeight: 1024, resizedWidth: 768 });
    expect(resizeLongestSide(100, 100)).toMatchObject({ resizedHeight: 1024, resizedWidth: 1024, scale: 10.24 });
    // 3 × 1024/2048 = 1.5 → int(2.0) = 2 (half rounds up)
    expect(resizeLongestSide(3, 2048)).toMatchObject({ resizedHeight: 2, resizedWidth: 1024 });
    expect(resizeLongestSide(1, 4000).resizedHeight).toBe(0);
  });

  it('rejects non-positive or fractional sizes', () => {
    expect(() => resizeLongestSide(0, 10)).toThrow(/positive integers/);
    expect(() => resizeLongestSide(10.5, 10)).toThrow(/positive integers/);
  });
});

describe('transformCoords (SAM-SPEC.md §2.2)', () => {
  it('truck click (500, 375) → (284.444…, 213.4375) with the ROUNDED size', () => {
    const [x, y] = transformCoords(500, 375, resizeLongestSide(1200, 1800));
    expect(x).toBeCloseTo(284.4444444, 6);
    // 375 · (683 / 1200) in double, as numpy computes it; exactly 213.4375 once fed as float32
    expect(y).toBeCloseTo(213.4375, 10);
    expect(Math.fround(y)).toBe(213.4375);
    // not the demo's unrounded samScale (213.333…)
    expect(y).not.toBeCloseTo(375 * (1024 / 1800), 3);
  });

  it('maps the image corners to the resized corners', () => {
    const g = resizeLongestSide(1500, 2250);
    expect(transformCoords(2250, 1500, g)).toEqual([1024, 683]);
    expect(transformCoords(0, 0, g)).toEqual([0, 0]);
  });
});

describe('decoderCropSize (SAM-SPEC.md §1.5, float32 inside the graph)', () => {
  it('matches the worked examples', () => {
    expect(decoderCropSize(1500, 2250)).toEqual([683, 1024]);
    expect(decoderCropSize(480, 640)).toEqual([768, 1024]);
    expect(decoderCropSize(1200, 1800)).toEqual([683, 1024]);
  });
});
