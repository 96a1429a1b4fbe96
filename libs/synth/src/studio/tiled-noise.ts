import type { Rng } from '../prng';

const BITS = 8;
const SIZE = 1 << BITS;
const MASK = SIZE - 1;

/**
 * Value noise on a 256×256 lattice that wraps, so it can be sampled anywhere — rotated,
 * stretched, negative coordinates — unlike the frame-sized `createValueNoise` lattice.
 * Coordinates are in lattice cells; the result is in [0, 1).
 */
export interface TiledNoise {
  lattice: Float32Array;
}

export function createTiledNoise(rng: Rng): TiledNoise {
  const lattice = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next();
  return { lattice };
}

export function noise2(n: TiledNoise, x: number, y: number): number {
  const fx = Math.floor(x);
  const fy = Math.floor(y);
  let tx = x - fx;
  let ty = y - fy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  const x0 = fx & MASK;
  const x1 = (fx + 1) & MASK;
  const r0 = (fy & MASK) << BITS;
  const r1 = ((fy + 1) & MASK) << BITS;
  const l = n.lattice;
  const top = l[r0 + x0]! + (l[r0 + x1]! - l[r0 + x0]!) * tx;
  const bottom = l[r1 + x0]! + (l[r1 + x1]! - l[r1 + x0]!) * tx;
  return top + (bottom - top) * ty;
}

/** Fractal sum of `octaves` noise layers (each twice the frequency, half the weight), in [0, 1). */
export function fbm(n: TiledNoise, x: number, y: number, octaves: number): number {
  let sum = 0;
  let weight = 0.5;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    // offset each octave so the lattices do not line up at the origin
    sum += weight * noise2(n, x + o * 37.17, y + o * 91.31);
    total += weight;
    x *= 2;
    y *= 2;
    weight *= 0.5;
  }
  return sum / total;
}
