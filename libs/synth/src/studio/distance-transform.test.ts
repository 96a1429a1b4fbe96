import { describe, expect, it } from 'vitest';
import { createRng } from '../prng';
import { squaredDistanceToOutside } from './distance-transform';

function bruteForce(inside: Uint8Array, w: number, h: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < w * h; i++) {
    let best = Infinity;
    for (let j = 0; j < w * h; j++) {
      if (inside[j] === 1) continue;
      best = Math.min(best, ((i % w) - (j % w)) ** 2 + (Math.floor(i / w) - Math.floor(j / w)) ** 2);
    }
    out.push(best);
  }
  return out;
}

describe('squaredDistanceToOutside', () => {
  it('matches brute force on random padded grids', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 20; trial++) {
      const w = rng.int(3, 14);
      const h = rng.int(3, 14);
      const inside = new Uint8Array(w * h);
      for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) inside[y * w + x] = rng.chance(0.75) ? 1 : 0;
      expect(Array.from(squaredDistanceToOutside(inside, w, h))).toEqual(bruteForce(inside, w, h));
    }
  });

  it('gives 0 outside and the disc radius profile inside a square', () => {
    const w = 9;
    const inside = new Uint8Array(w * w);
    for (let y = 1; y < 8; y++) for (let x = 1; x < 8; x++) inside[y * w + x] = 1;
    const d = squaredDistanceToOutside(inside, w, w);
    expect(d[0]).toBe(0);
    expect(d[1 * w + 1]).toBe(1);
    expect(d[4 * w + 4]).toBe(16);
  });
});
