import { hslToRgb } from '../paint/color';
import type { Rng } from '../prng';
import { type Material, type MaterialKind, createMaterial, materialMix, recolored } from './studio-materials';
import type { StudioCanvas } from './studio.types';
import { type TiledNoise, fbm } from './tiled-noise';

/** Surfaces the objects lie on; 'backdrop' is the plain one (option backgroundTexture: false). */
const TEXTURED_SURFACES = ['wood', 'fabric', 'marble', 'paper'] as const satisfies readonly MaterialKind[];

/** Feature scale of a surface relative to the same material on an object (a table's grain is coarser). */
const SURFACE_SCALE: Record<(typeof TEXTURED_SURFACES)[number], number> = { wood: 2.2, fabric: 1.2, marble: 2.5, paper: 3 };

/**
 * Paints the table / cloth / backdrop the objects lie on, fully lit (shade 1): wood in planks,
 * woven cloth, marble, rough paper, or a smooth backdrop sweep with faint blotches.
 */
export function paintStudioSurface(canvas: StudioCanvas, rng: Rng, noise: TiledNoise, textured: boolean): void {
  const kind = textured ? rng.pick(TEXTURED_SURFACES) : null;
  const { width, height, rgb, shade, spec } = canvas;
  shade.fill(1);
  spec.fill(0);
  if (kind === null) {
    paintBackdrop(canvas, rng, noise);
    return;
  }
  const base = createMaterial(rng, kind, SURFACE_SCALE[kind]);
  // surfaces are muted (colours pulled toward their grey) and a little darker than objects
  const m = recolored(base, mute(base.color), mute(base.color2));
  const planks = kind === 'wood';
  const plank = rng.range(0.18, 0.35) * Math.max(width, height);
  const plankShade = Array.from({ length: 16 }, () => rng.range(0.88, 1.1));
  const [r1, g1, b1] = m.color;
  const [r2, g2, b2] = m.color2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let f = 1;
      let shift = 0;
      if (planks) {
        // boards across the grain: a dark seam between them, each board its own tone and pattern
        const across = y * m.cos - x * m.sin + 4 * plank;
        const k = Math.floor(across / plank);
        f = (across - k * plank < 1.5 ? 0.55 : 1) * plankShade[k & 15]!;
        shift = (k & 15) * 173;
      }
      const t = materialMix(m, noise, x + shift, y);
      const o = (y * width + x) * 3;
      rgb[o] = (r1 + (r2 - r1) * t) * f;
      rgb[o + 1] = (g1 + (g2 - g1) * t) * f;
      rgb[o + 2] = (b1 + (b2 - b1) * t) * f;
    }
  }
}

/** A seamless paper sweep: lighter far edge, darker near edge, faint low-frequency blotches. */
function paintBackdrop(canvas: StudioCanvas, rng: Rng, noise: TiledNoise): void {
  const { width, height, rgb } = canvas;
  const hue = rng.next();
  const sat = rng.range(0, 0.3);
  const far = hslToRgb(hue, sat, rng.range(0.65, 0.88));
  const near = hslToRgb(hue, sat, rng.range(0.4, 0.6));
  const ox = rng.range(0, 256);
  const cell = Math.max(width, height) / 6;
  for (let y = 0; y < height; y++) {
    const t = y / Math.max(1, height - 1);
    const s = t * t * (3 - 2 * t);
    for (let x = 0; x < width; x++) {
      const blotch = 1 + 0.08 * (fbm(noise, x / cell + ox, y / cell, 2) - 0.5);
      const o = (y * width + x) * 3;
      rgb[o] = (far[0] + (near[0] - far[0]) * s) * blotch;
      rgb[o + 1] = (far[1] + (near[1] - far[1]) * s) * blotch;
      rgb[o + 2] = (far[2] + (near[2] - far[2]) * s) * blotch;
    }
  }
}

const SURFACE_DESATURATION = 0.25;
const SURFACE_EXPOSURE = 0.88;

function mute(c: Material['color']): Material['color'] {
  const grey = (c[0] + c[1] + c[2]) / 3;
  const f = (v: number): number => (v + (grey - v) * SURFACE_DESATURATION) * SURFACE_EXPOSURE;
  return [f(c[0]), f(c[1]), f(c[2])];
}
