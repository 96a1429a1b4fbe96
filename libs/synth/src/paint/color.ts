import type { Rng } from '../prng';

export type Rgb = [r: number, g: number, b: number];

export function hslToRgb(h: number, s: number, l: number): Rgb {
  const hue = ((h % 1) + 1) % 1;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((hue * 6) % 2) - 1));
  const m = l - c / 2;
  const sectors: Rgb[] = [
    [c, x, 0],
    [x, c, 0],
    [0, c, x],
    [0, x, c],
    [x, 0, c],
    [c, 0, x],
  ];
  const [r, g, b] = sectors[Math.min(5, Math.floor(hue * 6))]!;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

export interface Hsl {
  h: number;
  s: number;
  l: number;
}

export function randomHsl(rng: Rng): Hsl {
  return { h: rng.next(), s: rng.range(0.35, 0.95), l: rng.range(0.25, 0.75) };
}

/** A colour clearly different in hue and lightness (for parts against their parent). */
export function contrastingHsl(rng: Rng, base: Hsl): Hsl {
  const l = base.l < 0.5 ? rng.range(Math.min(0.85, base.l + 0.25), 0.9) : rng.range(0.1, Math.max(0.15, base.l - 0.25));
  return { h: base.h + rng.range(0.25, 0.75), s: rng.range(0.4, 0.95), l };
}

/** A related shade (same hue family), for the second colour of a texture. */
export function shadeHsl(rng: Rng, base: Hsl): Hsl {
  const dl = rng.range(0.12, 0.25) * (base.l > 0.5 ? -1 : 1);
  return { h: base.h + rng.range(-0.04, 0.04), s: base.s, l: base.l + dl };
}

export function toRgb(c: Hsl): Rgb {
  return hslToRgb(c.h, c.s, c.l);
}

export function rgbDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
