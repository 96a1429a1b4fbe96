import { describe, expect, it } from 'vitest';
import { rasterizeShape } from './scanline-fill';
import type { Shape } from './shape.types';

function toGrid(shape: Shape, w: number, h: number): Uint8Array {
  const grid = new Uint8Array(w * h);
  const { data, count } = rasterizeShape(shape, w, h);
  for (let k = 0; k < count; k++) {
    for (let x = data[3 * k + 1]!; x < data[3 * k + 2]!; x++) grid[data[3 * k]! * w + x]! += 1;
  }
  return grid;
}

const rect = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];
const sum = (g: Uint8Array): number => g.reduce((a, b) => a + b, 0);

describe('rasterizeShape (even-odd, pixel centres)', () => {
  it('fills an axis-aligned rectangle with integer corners exactly', () => {
    const g = toGrid({ rings: [rect(2, 3, 7, 5)] }, 10, 10);
    expect(sum(g)).toBe(5 * 2);
    expect(g[3 * 10 + 2]).toBe(1);
    expect(g[4 * 10 + 6]).toBe(1);
    expect(g[5 * 10 + 2]).toBe(0);
    expect(g[3 * 10 + 7]).toBe(0);
  });

  it('samples pixel centres: a rectangle from 2.6 to 5.4 covers pixels 3 and 4', () => {
    const g = toGrid({ rings: [rect(2.6, 2.6, 5.4, 5.4)] }, 8, 8);
    expect(sum(g)).toBe(4);
    expect(g[3 * 8 + 3]).toBe(1);
    expect(g[4 * 8 + 4]).toBe(1);
  });

  it('cuts holes with an inner ring (frame), whatever the ring orientation', () => {
    const outer = rect(0, 0, 10, 10);
    const inner = [7, 3, 3, 3, 3, 7, 7, 7]; // same orientation as outer would also work (even-odd)
    const g = toGrid({ rings: [outer, inner] }, 10, 10);
    expect(sum(g)).toBe(100 - 16);
    expect(g[5 * 10 + 5]).toBe(0);
    expect(g[1 * 10 + 1]).toBe(1);
  });

  it('gives abutting shapes disjoint pixels that cover their union', () => {
    const a = toGrid({ rings: [[0, 0, 6.3, 0, 3.1, 9, 0, 9]] }, 10, 10);
    const b = toGrid({ rings: [[6.3, 0, 10, 0, 10, 9, 3.1, 9]] }, 10, 10);
    const both = toGrid({ rings: [rect(0, 0, 10, 9)] }, 10, 10);
    for (let i = 0; i < 100; i++) expect(a[i]! + b[i]!).toBe(both[i]);
  });

  it('clips to the image and handles shapes fully outside', () => {
    expect(sum(toGrid({ rings: [rect(-5, -5, 3, 3)] }, 10, 10))).toBe(9);
    expect(sum(toGrid({ rings: [rect(20, 20, 30, 30)] }, 10, 10))).toBe(0);
    expect(sum(toGrid({ rings: [rect(-5, -5, 50, 50)] }, 10, 10))).toBe(100);
  });

  it('fills a concave polygon (U shape) leaving the notch empty', () => {
    const u = [0, 0, 3, 0, 3, 7, 7, 7, 7, 0, 10, 0, 10, 10, 0, 10];
    const g = toGrid({ rings: [u] }, 10, 10);
    expect(g[2 * 10 + 5]).toBe(0);
    expect(g[8 * 10 + 5]).toBe(1);
    expect(sum(g)).toBe(100 - 4 * 7);
  });
});
