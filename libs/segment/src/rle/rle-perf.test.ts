import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask } from './index';

// Guards against accidental per-pixel or O(n log n) regressions, not a benchmark: the bound is
// ~20x the typical cost so a loaded CI machine does not flake.
describe('RLE speed on a 1500x2250 (SA-1B sized) mask', () => {
  it('encodes and decodes a large ellipse in well under 40 ms (median of 15)', () => {
    const h = 1500;
    const w = 2250;
    const data = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dx = (x - 1100) / 900;
        const dy = (y - 700) / 600;
        if (dx * dx + dy * dy <= 1) data[y * w + x] = 1;
      }
    }
    const mask = { height: h, width: w, data };
    const enc: number[] = [];
    const dec: number[] = [];
    for (let i = 0; i < 15; i++) {
      let t = performance.now();
      const rle = encodeMask(mask);
      enc.push(performance.now() - t);
      t = performance.now();
      decodeRle(rle);
      dec.push(performance.now() - t);
    }
    const median = (a: number[]): number => a.sort((p, q) => p - q)[a.length >> 1]!;
    expect(median(enc)).toBeLessThan(40);
    expect(median(dec)).toBeLessThan(40);
  });
});
