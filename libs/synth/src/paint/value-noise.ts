import type { Rng } from '../prng';

/** Smooth value noise in [0, 1): random lattice values every `cell` pixels, smoothstep-interpolated. */
export interface ValueNoise {
  cell: number;
  cols: number;
  lattice: Float32Array;
}

export function createValueNoise(rng: Rng, width: number, height: number, cell: number): ValueNoise {
  const cols = Math.ceil(width / cell) + 2;
  const rows = Math.ceil(height / cell) + 2;
  const lattice = new Float32Array(cols * rows);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next();
  return { cell, cols, lattice };
}

export function sampleValueNoise(noise: ValueNoise, x: number, y: number): number {
  const fx = x / noise.cell;
  const fy = y / noise.cell;
  const ix = Math.floor(fx);
  const iy = Math.floor(fy);
  let tx = fx - ix;
  let ty = fy - iy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  const l = noise.lattice;
  const o = iy * noise.cols + ix;
  const top = l[o]! + (l[o + 1]! - l[o]!) * tx;
  const bottom = l[o + noise.cols]! + (l[o + noise.cols + 1]! - l[o + noise.cols]!) * tx;
  return top + (bottom - top) * ty;
}
