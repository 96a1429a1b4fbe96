import type { Rng } from '../prng';
import { type Rgb, hslToRgb } from './color';
import { type ValueNoise, createValueNoise } from './value-noise';

/** Paints a two-colour linear gradient plus optional low-contrast value noise; returns the mean colour. */
export function paintBackground(rgb: Uint8Array, width: number, height: number, rng: Rng, textured: boolean): Rgb {
  const hue = rng.next();
  const a = hslToRgb(hue, rng.range(0.05, 0.45), rng.range(0.2, 0.8));
  const b = hslToRgb(hue + rng.range(-0.15, 0.15), rng.range(0.05, 0.45), rng.range(0.2, 0.8));
  const angle = rng.range(0, 2 * Math.PI);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const extent = Math.abs(cos) * width + Math.abs(sin) * height || 1;
  const noise = textured ? createValueNoise(rng, width, height, rng.int(6, 40)) : null;
  const amplitude = textured ? rng.range(8, 24) : 0;

  const row = new Float32Array(width); // stays zero without texture
  const columns = noise === null ? null : noiseColumns(noise, width);
  const [r0, g0, b0] = a;
  const dr = b[0] - r0;
  const dg = b[1] - g0;
  const db = b[2] - b0;
  for (let y = 0; y < height; y++) {
    if (noise !== null && columns !== null) noiseRow(noise, columns, y, 2 * amplitude, row);
    let t = (-(width / 2) * cos + (y - height / 2) * sin) / extent + 0.5;
    const dt = cos / extent;
    for (let x = 0, o = y * width * 3; x < width; x++, o += 3, t += dt) {
      const d = row[x]! + 0.5; // + 0.5: round on truncation
      rgb[o] = clampByte((r0 + dr * t + d) | 0);
      rgb[o + 1] = clampByte((g0 + dg * t + d) | 0);
      rgb[o + 2] = clampByte((b0 + db * t + d) | 0);
    }
  }
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}

/** Per-column lattice index and smoothstep weight, shared by every row. */
interface NoiseColumns {
  ix: Int32Array;
  tx: Float32Array;
}

function noiseColumns(noise: ValueNoise, width: number): NoiseColumns {
  const ix = new Int32Array(width);
  const tx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = x / noise.cell;
    const i = Math.floor(fx);
    const t = fx - i;
    ix[x] = i;
    tx[x] = t * t * (3 - 2 * t);
  }
  return { ix, tx };
}

/** One row of value noise scaled to [−scale/2, scale/2): vertical lerp of two lattice rows, then horizontal. */
function noiseRow(noise: ValueNoise, columns: NoiseColumns, y: number, scale: number, out: Float32Array): void {
  const { cell, cols, lattice } = noise;
  const fy = y / cell;
  const iy = Math.floor(fy);
  let ty = fy - iy;
  ty = ty * ty * (3 - 2 * ty);
  const r0 = iy * cols;
  const r1 = r0 + cols;
  const { ix, tx } = columns;
  for (let x = 0; x < out.length; x++) {
    const i = ix[x]!;
    const t = tx[x]!;
    const top = lattice[r0 + i]! + (lattice[r0 + i + 1]! - lattice[r0 + i]!) * t;
    const bottom = lattice[r1 + i]! + (lattice[r1 + i + 1]! - lattice[r1 + i]!) * t;
    out[x] = (top + (bottom - top) * ty - 0.5) * scale;
  }
}

/**
 * Adds uniform integer noise in [−amplitude, amplitude] to every channel. Uses its own inline
 * mulberry32 stream seeded from `rng` (one 32-bit draw per pixel, 10 bits per channel).
 */
export function addPixelNoise(rgb: Uint8Array, rng: Rng, amplitude: number): void {
  const amp = Math.round(amplitude);
  if (amp <= 0) return;
  const lut = new Int32Array(1024);
  for (let i = 0; i < 1024; i++) lut[i] = Math.min(amp, Math.floor((i * (2 * amp + 1)) / 1024) - amp);
  let state = Math.floor(rng.next() * 4294967296) >>> 0;
  for (let o = 0; o + 2 < rgb.length; o += 3) {
    state = (state + 0x6d2b79f5) | 0;
    let u = state;
    u = Math.imul(u ^ (u >>> 15), u | 1);
    u ^= u + Math.imul(u ^ (u >>> 7), u | 61);
    u ^= u >>> 14;
    rgb[o] = clampByte(rgb[o]! + lut[u & 1023]!);
    rgb[o + 1] = clampByte(rgb[o + 1]! + lut[(u >>> 10) & 1023]!);
    rgb[o + 2] = clampByte(rgb[o + 2]! + lut[(u >>> 20) & 1023]!);
  }
}

/** Branch-free clamp of an int32 to 0..255 (branchy clamps mispredict on noisy data). */
function clampByte(v: number): number {
  const low = v & ~(v >> 31);
  return (low | ((255 - low) >> 31)) & 255;
}
