import { compressRle, encodeMask } from '@dataengine/segment';
import { describe, expect, it } from 'vitest';
import { displaySize, paintOverlay } from './overlay';

/** A filled rectangle as a compressed RLE string of a w×h image. */
function rect(w: number, h: number, x0: number, y0: number, rw: number, rh: number): string {
  const data = new Uint8Array(w * h);
  for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) data[y * w + x] = 1;
  return compressRle(encodeMask({ width: w, height: h, data })).counts;
}

const alphaAt = (layer: Uint8ClampedArray, width: number, x: number, y: number) => layer[(y * width + x) * 4 + 3];
const count = (layer: Uint8ClampedArray) => {
  let n = 0;
  for (let i = 3; i < layer.length; i += 4) if (layer[i]) n++;
  return n;
};

describe('the viewer overlay', () => {
  it('fills a mask\'s pixels and outlines its border at full size', () => {
    const layers = paintOverlay([{ counts: rect(10, 8, 2, 1, 4, 3), colour: [255, 0, 0] }], { width: 10, height: 8 }, { width: 10, height: 8 });
    expect(count(layers.fill)).toBe(12);
    expect(count(layers.outline)).toBe(10); // a 4×3 block: all but its 2 inner pixels
    expect(alphaAt(layers.outline, 10, 3, 2)).toBe(0);
    expect(Array.from(layers.fill.slice((1 * 10 + 2) * 4, (1 * 10 + 2) * 4 + 4))).toEqual([255, 0, 0, 255]);
    expect(alphaAt(layers.fill, 10, 1, 1)).toBe(0);
  });

  it('paints later masks on top, each with its own outline', () => {
    const layers = paintOverlay(
      [
        { counts: rect(10, 10, 0, 0, 6, 6), colour: [255, 0, 0] },
        { counts: rect(10, 10, 4, 4, 6, 6), colour: [0, 0, 255] },
      ],
      { width: 10, height: 10 },
      { width: 10, height: 10 },
    );
    expect(Array.from(layers.fill.slice((5 * 10 + 5) * 4, (5 * 10 + 5) * 4 + 3))).toEqual([0, 0, 255]);
    expect(count(layers.fill)).toBe(36 + 36 - 4);
  });

  it('scales to the display size from the runs (a mask spanning many columns, and one pixel upscaled)', () => {
    const down = paintOverlay([{ counts: rect(400, 300, 100, 50, 200, 100), colour: [0, 255, 0] }], { width: 400, height: 300 }, { width: 200, height: 150 });
    expect(count(down.fill)).toBe(100 * 50);
    const up = paintOverlay([{ counts: rect(4, 4, 1, 2, 1, 1), colour: [0, 255, 0] }], { width: 4, height: 4 }, { width: 8, height: 8 });
    expect(count(up.fill)).toBe(4);
    expect(alphaAt(up.fill, 8, 2, 4)).toBe(255);
  });

  it('keeps the long side of the display at most 1600 pixels', () => {
    expect(displaySize(6000, 4000)).toEqual({ width: 1600, height: 1067 });
    expect(displaySize(640, 480)).toEqual({ width: 640, height: 480 });
  });
});
