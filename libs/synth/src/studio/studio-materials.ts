import { type Rgb, hslToRgb } from '../paint/color';
import type { Rng } from '../prng';
import { type TiledNoise, fbm, noise2 } from './tiled-noise';

export const MATERIAL_KINDS = [
  'wood',
  'fabric',
  'marble',
  'metal',
  'plastic',
  'ceramic',
  'paper',
  'leaf',
  'rubber',
] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

/**
 * A surface: two colours mixed per pixel by a procedural pattern (wood grain, weave, marble
 * veins, brushed streaks …) plus how it reflects light (Blinn–Phong gloss / shininess).
 */
export interface Material {
  kind: MaterialKind;
  color: Rgb;
  color2: Rgb;
  /** Grain / weave / vein direction. */
  cos: number;
  sin: number;
  /** Pattern feature size in pixels (ring spacing, thread period, vein scale …). */
  scale: number;
  /** Noise offsets (lattice cells) so two objects never share a pattern. */
  ox: number;
  oy: number;
  /** Specular strength (0 = matte) and Blinn–Phong exponent. */
  gloss: number;
  shininess: number;
  /** Metals: highlight tinted by the base colour and a weaker diffuse term. */
  metallic: boolean;
}

type Hsl = [h: number, s: number, l: number];

/** Base colour, pattern colour, feature scale, gloss, shininess per kind (ranges drawn from `rng`). */
function kindLook(rng: Rng, kind: MaterialKind): { base: Hsl; dark: Hsl; scale: number; gloss: number; shininess: number } {
  const r = (lo: number, hi: number): number => rng.range(lo, hi);
  switch (kind) {
    case 'wood': {
      const base: Hsl = [r(0.05, 0.1), r(0.35, 0.6), r(0.42, 0.68)];
      return { base, dark: [base[0] - 0.01, base[1] + 0.05, base[2] - r(0.18, 0.28)], scale: r(5, 14), gloss: r(0.08, 0.3), shininess: 20 };
    }
    case 'fabric': {
      const base: Hsl = [rng.next(), r(0.15, 0.55), r(0.3, 0.7)];
      return { base, dark: [base[0], base[1], base[2] - r(0.1, 0.2)], scale: r(2.2, 4.5), gloss: 0.03, shininess: 6 };
    }
    case 'marble': {
      const base: Hsl = [rng.next(), r(0, 0.15), r(0.72, 0.9)];
      return { base, dark: [base[0] + r(-0.1, 0.1), r(0, 0.2), r(0.25, 0.5)], scale: r(35, 90), gloss: r(0.3, 0.6), shininess: 60 };
    }
    case 'metal': {
      const base = rng.pick<Hsl>([
        [0.6, r(0, 0.08), r(0.55, 0.72)], // steel
        [0.12, r(0.45, 0.6), r(0.45, 0.58)], // brass
        [0.05, r(0.5, 0.65), r(0.42, 0.55)], // copper
      ]);
      return { base, dark: [base[0], base[1], base[2] - 0.15], scale: r(20, 40), gloss: r(0.7, 1), shininess: r(30, 70) };
    }
    case 'plastic': {
      const base: Hsl = [rng.next(), r(0.5, 0.9), r(0.35, 0.6)];
      return { base, dark: [base[0], base[1], base[2] - 0.08], scale: 6, gloss: r(0.35, 0.7), shininess: r(20, 50) };
    }
    case 'ceramic': {
      const base: Hsl = [rng.next(), r(0.05, 0.45), r(0.62, 0.9)];
      return { base, dark: [base[0], base[1] * 0.5, r(0.2, 0.4)], scale: 1.3, gloss: r(0.45, 0.8), shininess: r(50, 90) };
    }
    case 'paper': {
      const base: Hsl = [r(0.08, 0.16), r(0.05, 0.3), r(0.86, 0.95)];
      return { base, dark: [base[0], base[1], base[2] - 0.12], scale: 5, gloss: 0.04, shininess: 8 };
    }
    case 'leaf': {
      const autumn = rng.chance(0.3);
      const base: Hsl = autumn ? [r(0.02, 0.12), r(0.55, 0.8), r(0.35, 0.5)] : [r(0.22, 0.36), r(0.35, 0.7), r(0.22, 0.42)];
      return { base, dark: [base[0] + 0.02, base[1], base[2] - 0.1], scale: r(14, 24), gloss: r(0.15, 0.35), shininess: 18 };
    }
    case 'rubber': {
      const base: Hsl = [rng.next(), r(0.1, 0.5), r(0.1, 0.28)];
      return { base, dark: [base[0], base[1], base[2] * 0.6], scale: 1.5, gloss: 0.08, shininess: 10 };
    }
  }
}

export function createMaterial(rng: Rng, kind: MaterialKind, scaleFactor = 1): Material {
  const look = kindLook(rng, kind);
  const angle = rng.range(0, Math.PI);
  const hsl = ([h, s, l]: Hsl): Rgb => hslToRgb(h, Math.min(1, Math.max(0, s)), Math.min(0.97, Math.max(0.03, l)));
  return materialOf({
    kind,
    color: hsl(look.base),
    color2: hsl(look.dark),
    cos: Math.cos(angle),
    sin: Math.sin(angle),
    scale: look.scale * scaleFactor,
    ox: rng.range(0, 256),
    oy: rng.range(0, 256),
    gloss: look.gloss,
    shininess: look.shininess,
    metallic: kind === 'metal',
  });
}

/** The same material in other colours. */
export function recolored(m: Material, color: Rgb, color2: Rgb): Material {
  return materialOf({ ...m, color, color2 });
}

/**
 * Every Material is built here, fields in one order, so the per-pixel painters see a single
 * object shape (spread copies would give each variant its own hidden class and slow them down).
 */
function materialOf(m: Material): Material {
  return {
    kind: m.kind,
    color: m.color,
    color2: m.color2,
    cos: m.cos,
    sin: m.sin,
    scale: m.scale,
    ox: m.ox,
    oy: m.oy,
    gloss: m.gloss,
    shininess: m.shininess,
    metallic: m.metallic,
  };
}

/** Pattern value at canvas pixel (x, y): 0 → `color`, 1 → `color2`. */
export function materialMix(m: Material, n: TiledNoise, x: number, y: number): number {
  const s = m.scale;
  const along = (x * m.cos + y * m.sin) / s;
  const across = (y * m.cos - x * m.sin) / s;
  switch (m.kind) {
    case 'wood': {
      // growth rings bent by a warp that is long along the grain, plus fine fibres along it
      const warp = fbm(n, along * 0.025 + m.ox, across * 0.18 + m.oy, 2);
      const ring = across + 4 * warp;
      const f = ring - Math.floor(ring);
      const fibre = noise2(n, along * 0.3 + m.oy, across * 6 + m.ox);
      return 0.5 * f * f * f + 0.3 * fibre + 0.2 * warp;
    }
    case 'fabric': {
      // plain weave: alternate cells show a warp or a weft thread, each rounded across its width
      const fu = along - Math.floor(along);
      const fv = across - Math.floor(across);
      const over = (Math.floor(along) + Math.floor(across)) & 1;
      const thread = 1 - Math.sin(Math.PI * (over === 1 ? fv : fu));
      const mottle = noise2(n, x / 45 + m.ox, y / 45 + m.oy);
      return 0.5 * thread + 0.3 * mottle + 0.2 * noise2(n, x / 1.7 + m.oy, y / 1.7 + m.ox);
    }
    case 'marble': {
      // Perlin's marble: sinuous bands across the grain, bent by turbulence (Σ|noise − ½| over
      // four octaves), sharpened into veins whose strength wanders, over soft clouding
      let turbulence = 0;
      for (let o = 0, f = 1; o < 4; o++, f *= 2) turbulence += Math.abs(noise2(n, (x * f) / s + m.ox, (y * f) / s + m.oy) - 0.5) / f;
      const v = Math.sin((across * 0.8 + 2.2 * turbulence) * Math.PI);
      const c = 1 - Math.abs(v);
      const c2 = c * c;
      const c4 = c2 * c2;
      const strength = noise2(n, x / (2 * s) + m.oy, y / (2 * s) + m.ox);
      return (0.85 * c4 * c4 * c4 + 0.2 * c2) * strength + 0.2 * turbulence;
    }
    case 'metal':
      // brushed: streaks stretched along the grain
      return 0.55 * noise2(n, along + m.ox, across * 40 + m.oy) + 0.15 * noise2(n, x / 9 + m.oy, y / 9 + m.ox);
    case 'plastic':
      return 0.1 * noise2(n, x / 7 + m.ox, y / 7 + m.oy);
    case 'ceramic': {
      const speck = noise2(n, x / s + m.ox, y / s + m.oy) > 0.94 ? 0.6 : 0;
      return speck + 0.06 * noise2(n, x / 25 + m.oy, y / 25 + m.ox);
    }
    case 'paper':
      return 0.35 * noise2(n, along + m.ox, across * 5 + m.oy) + 0.25 * noise2(n, x / 30 + m.oy, y / 30 + m.ox);
    case 'leaf':
      return 0.55 * fbm(n, x / s + m.ox, y / s + m.oy, 2) + 0.2 * noise2(n, x / 2 + m.oy, y / 2 + m.ox);
    case 'rubber':
      return 0.5 * noise2(n, x / s + m.ox, y / s + m.oy);
  }
}
