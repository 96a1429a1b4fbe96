import { describe, expect, it } from 'vitest';
import { resampleCoefficients, resizeBilinearAntialias, type RgbImage } from './image-resize';

const collect = (image: RgbImage, w: number, h: number): Uint8Array => {
  const out = new Uint8Array(w * h * 3);
  resizeBilinearAntialias(image, w, h, (x, y, r, g, b) => out.set([r, g, b], (y * w + x) * 3));
  return out;
};

describe('resampleCoefficients (PIL bilinear, antialiased)', () => {
  it('2:1 downscale widens the triangle to support 2: taps 0..2 weighted 0.75, 0.75, 0.25 (normalised)', () => {
    const c = resampleCoefficients(8, 4);
    expect(c.start[0]).toBe(0);
    expect(c.count[0]).toBe(3);
    const w = Array.from(c.weights.subarray(0, 3));
    expect(w[0]).toBeCloseTo(0.75 / 1.75, 6);
    expect(w[1]).toBeCloseTo(0.75 / 1.75, 6);
    expect(w[2]).toBeCloseTo(0.25 / 1.75, 6);
    // an interior output: centre 3.0 → taps 1..4, weights .25 .75 .75 .25
    expect(c.start[1]).toBe(1);
    expect(c.count[1]).toBe(4);
    expect(Array.from(c.weights.subarray(c.maxTaps, c.maxTaps + 4))).toEqual([0.125, 0.375, 0.375, 0.125]);
  });

  it('weights of every output sum to 1, up- and downscaling', () => {
    for (const [a, b] of [[1800, 1024], [1024, 683], [100, 1024], [7, 3]] as const) {
      const c = resampleCoefficients(a, b);
      for (let o = 0; o < b; o++) {
        let sum = 0;
        for (let k = 0; k < c.count[o]!; k++) sum += c.weights[o * c.maxTaps + k]!;
        expect(sum).toBeCloseTo(1, 5);
      }
    }
  });
});

describe('resizeBilinearAntialias', () => {
  it('keeps a flat colour flat, ignores alpha, and is the identity at the same size', () => {
    const rgba: RgbImage = { width: 30, height: 20, channels: 4, data: new Uint8Array(30 * 20 * 4).map((_, i) => [10, 200, 77, 3][i % 4]!) };
    const small = collect(rgba, 16, 11);
    for (let p = 0; p < 16 * 11; p++) expect([small[p * 3], small[p * 3 + 1], small[p * 3 + 2]]).toEqual([10, 200, 77]);
    const rgb: RgbImage = { width: 5, height: 4, channels: 3, data: Uint8Array.from({ length: 60 }, (_, i) => (i * 37) % 256) };
    expect(collect(rgb, 5, 4)).toEqual(rgb.data);
  });

  it('averages a 2:1 column stripe pattern to mid-grey away from the border', () => {
    const w = 64;
    const data = new Uint8Array(w * 2 * 3);
    for (let y = 0; y < 2; y++) for (let x = 0; x < w; x++) data.fill(x % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const out = collect({ width: w, height: 2, channels: 3, data }, 32, 1);
    // interior taps .125 .375 .375 .125 over 0,255,0,255 → 127.5 → 128
    expect(out[10 * 3]).toBe(128);
  });
});
