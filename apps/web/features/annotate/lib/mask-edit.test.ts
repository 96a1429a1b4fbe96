import { describe, expect, it } from 'vitest';
import { BRUSH_MAX, BRUSH_MIN, composeMask, maskArea, maskBounds, paintMaskRgba, stepBrush } from './mask-edit';

describe('brush and eraser', () => {
  it('paints a disc for a single-point stroke and leaves the base untouched', () => {
    const base = { width: 20, height: 20, data: new Uint8Array(400) };
    const m = composeMask(base, 20, 20, [{ mode: 'paint', radius: 3, points: [[10, 10]] }]);
    expect(maskArea(base)).toBe(0);
    expect(maskArea(m)).toBe(29); // lattice points with x²+y² ≤ 9
    expect(m.data[10 * 20 + 13]).toBe(1);
    expect(m.data[10 * 20 + 14]).toBe(0);
  });

  it('paints a continuous band along a drag and erases with the eraser', () => {
    const m = composeMask(null, 40, 10, [{ mode: 'paint', radius: 2, points: [[2, 5], [37, 5]] }]);
    for (let x = 2; x <= 37; x++) expect(m.data[5 * 40 + x], `x=${x}`).toBe(1);
    const e = composeMask(m, 40, 10, [{ mode: 'erase', radius: 1, points: [[20, 0], [20, 9]] }]);
    expect(e.data[5 * 40 + 20]).toBe(0);
    expect(maskArea(e)).toBeLessThan(maskArea(m));
  });

  it('clips strokes at the image border', () => {
    const m = composeMask(null, 8, 8, [{ mode: 'paint', radius: 5, points: [[0, 0]] }]);
    expect(maskArea(m)).toBeGreaterThan(0);
    expect(m.data.length).toBe(64);
  });

  it('steps the brush size within bounds', () => {
    expect(stepBrush(8, 1)).toBe(10);
    expect(stepBrush(8, -1)).toBe(7);
    expect(stepBrush(BRUSH_MIN, -1)).toBe(BRUSH_MIN);
    expect(stepBrush(BRUSH_MAX, 1)).toBe(BRUSH_MAX);
  });

  it('colours mask pixels into RGBA', () => {
    const rgba = new Uint8ClampedArray(8);
    paintMaskRgba(rgba, { width: 2, height: 1, data: Uint8Array.from([0, 1]) }, [1, 2, 3], 100);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 0, 1, 2, 3, 100]);
  });

  it('bounds the set pixels of several masks, and paints only that rectangle', () => {
    const mask = (set: [number, number][]) => {
      const data = new Uint8Array(6 * 5);
      for (const [x, y] of set) data[y * 6 + x] = 1;
      return { width: 6, height: 5, data };
    };
    const a = mask([[2, 1], [3, 1]]);
    const b = mask([[1, 3]]);
    expect(maskBounds([a])).toEqual([2, 1, 3, 1]);
    expect(maskBounds([a, b])).toEqual([1, 1, 3, 3]);
    expect(maskBounds([b, a])).toEqual([1, 1, 3, 3]); // a later mask higher up keeps the earlier one's bottom
    expect(maskBounds([mask([])])).toBeNull();
    // a 3 × 3 buffer for [1, 1, 3, 3]: b's pixel (1, 3) lands at (0, 2), a's at (1, 0) and (2, 0)
    const rgba = new Uint8ClampedArray(3 * 3 * 4);
    paintMaskRgba(rgba, a, [9, 9, 9], 50, [1, 1, 3, 3]);
    paintMaskRgba(rgba, b, [7, 7, 7], 60, [1, 1, 3, 3]);
    const alpha = Array.from({ length: 9 }, (_, i) => rgba[i * 4 + 3]);
    expect(alpha).toEqual([0, 50, 50, 0, 0, 0, 60, 0, 0]);
  });
});
