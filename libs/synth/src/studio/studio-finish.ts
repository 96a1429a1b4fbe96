import type { Rng } from '../prng';
import { softenRgb } from './box-blur';
import type { StudioCanvas, StudioLight } from './studio.types';
import { type TiledNoise, noise2 } from './tiled-noise';

/** Camera and light-source imperfections applied to the whole frame, drawn once per scene. */
export interface FinishLook {
  /** Brightness change across the frame towards the light (fraction of the mean). */
  falloff: number;
  /** Darkening at the corners (0–1) and the optical centre's offset (fraction of the size). */
  vignette: number;
  centreX: number;
  centreY: number;
  /** Low-frequency uneven illumination amplitude and noise offset. */
  blotch: number;
  blotchOffset: number;
  /** Light colour (multipliers per channel). */
  tint: [number, number, number];
  /** Overall exposure multiplier. */
  exposure: number;
  /** Whether the whole frame gets a mild [1 2 1] lens softness. */
  soften: boolean;
  grainSeed: number;
}

export function drawFinishLook(rng: Rng): FinishLook {
  const warm = rng.range(-0.05, 0.1);
  return {
    falloff: rng.range(0.1, 0.35),
    vignette: rng.range(0.15, 0.45),
    centreX: rng.range(-0.1, 0.1),
    centreY: rng.range(-0.1, 0.1),
    blotch: rng.range(0.05, 0.16),
    blotchOffset: rng.range(0, 256),
    tint: [1 + warm, 1 + warm * 0.2, 1 - warm],
    exposure: rng.range(0.92, 1.12),
    soften: rng.chance(0.5),
    grainSeed: Math.floor(rng.next() * 4294967296) >>> 0,
  };
}

/**
 * Optional lens softness, then uneven illumination (a gradient towards the light plus soft
 * blotches), vignette and light colour, then film grain (luminance noise of about ±`grain`
 * levels, a little chroma), quantised to 8-bit RGB. (Softening first is equivalent: the
 * illumination varies far more slowly than the [1 2 1] kernel.)
 */
export function finishStudioImage(
  canvas: StudioCanvas,
  look: FinishLook,
  light: StudioLight,
  noise: TiledNoise,
  grain: number,
): Uint8Array {
  const { width, height, rgb } = canvas;
  if (look.soften) softenRgb(rgb, width, height);
  const field = illumination(look, light, noise, width, height);
  const cols = Math.ceil(width / ILLUMINATION_STEP) + 2;
  const row = new Float32Array(cols);
  const [tr, tg, tb] = look.tint;
  const amp = Math.max(0, grain);
  const lumScale = (amp * 1.7) / 382.5;
  const chromaScale = (amp * 0.4) / 127.5;
  // a clamped array rounds and clamps on store (round half to even), with no branches here
  const out = new Uint8ClampedArray(width * height * 3);
  let state = look.grainSeed;
  for (let y = 0; y < height; y++) {
    const fy = y / ILLUMINATION_STEP;
    const iy = Math.floor(fy);
    const ty = fy - iy;
    for (let i = 0; i < cols; i++) row[i] = field[iy * cols + i]! + (field[(iy + 1) * cols + i]! - field[iy * cols + i]!) * ty;
    for (let x = 0, o = y * width * 3; x < width; x++, o += 3) {
      const ix = x >> ILLUMINATION_SHIFT;
      const f = row[ix]! + (row[ix + 1]! - row[ix]!) * ((x & (ILLUMINATION_STEP - 1)) / ILLUMINATION_STEP);
      // inline mulberry32 step; three bytes summed ≈ Gaussian luminance grain, a fourth for chroma
      state = (state + 0x6d2b79f5) | 0;
      let u = state;
      u = Math.imul(u ^ (u >>> 15), u | 1);
      u ^= u + Math.imul(u ^ (u >>> 7), u | 61);
      u ^= u >>> 14;
      const lum = ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) - 382.5) * lumScale;
      const chroma = (((u >>> 24) & 255) - 127.5) * chromaScale;
      out[o] = rgb[o]! * f * tr + lum + chroma;
      out[o + 1] = rgb[o + 1]! * f * tg + lum;
      out[o + 2] = rgb[o + 2]! * f * tb + lum - chroma;
    }
  }
  return new Uint8Array(out.buffer);
}

/** The illumination factor varies slowly: it is evaluated every ILLUMINATION_STEP pixels and interpolated. */
const ILLUMINATION_SHIFT = 3;
const ILLUMINATION_STEP = 1 << ILLUMINATION_SHIFT;

/** Exposure × gradient towards the light × vignette × blotches, on a coarse grid (one spare cell each way). */
function illumination(look: FinishLook, light: StudioLight, noise: TiledNoise, width: number, height: number): Float32Array {
  const lxy = Math.hypot(light.x, light.y) || 1;
  const gx = light.x / lxy;
  const gy = light.y / lxy;
  const diag = Math.hypot(width, height);
  const cx = width * (0.5 + look.centreX);
  const cy = height * (0.5 + look.centreY);
  const cell = diag / 4;
  const cols = Math.ceil(width / ILLUMINATION_STEP) + 2;
  const rows = Math.ceil(height / ILLUMINATION_STEP) + 2;
  const field = new Float32Array(cols * rows);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const x = i * ILLUMINATION_STEP;
      const y = j * ILLUMINATION_STEP;
      const toward = ((x - width / 2) * gx + (y - height / 2) * gy) / diag;
      const r2 = ((x - cx) ** 2 + (y - cy) ** 2) / ((diag / 2) * (diag / 2));
      const blotch = 1 + look.blotch * (noise2(noise, x / cell + look.blotchOffset, y / cell) - 0.5) * 2;
      field[j * cols + i] = look.exposure * (1 + 2 * look.falloff * toward) * (1 - look.vignette * r2) * blotch;
    }
  }
  return field;
}
