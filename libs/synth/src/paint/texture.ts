import type { SpanList } from '../geometry/shape.types';
import type { Rng } from '../prng';
import { type Hsl, type Rgb, shadeHsl, toRgb } from './color';
import { type ValueNoise, createValueNoise, sampleValueNoise } from './value-noise';

export const TEXTURE_KINDS = ['solid', 'stripes', 'checker', 'dots', 'noise'] as const;
export type TextureKind = (typeof TEXTURE_KINDS)[number];

export type Texture =
  | { kind: 'solid'; color: Rgb }
  | { kind: 'stripes'; color: Rgb; color2: Rgb; period: number; cos: number; sin: number }
  | { kind: 'checker'; color: Rgb; color2: Rgb; cell: number }
  | { kind: 'dots'; color: Rgb; color2: Rgb; spacing: number; radius: number }
  | { kind: 'noise'; color: Rgb; color2: Rgb; noise: ValueNoise };

/** RGB image plus a per-pixel owner label (−1 = background), both row-major. */
export interface Canvas {
  width: number;
  height: number;
  rgb: Uint8Array;
  labels: Int32Array;
}

export function createTexture(rng: Rng, kind: TextureKind, base: Hsl, width: number, height: number): Texture {
  const color = toRgb(base);
  const color2 = toRgb(shadeHsl(rng, base));
  switch (kind) {
    case 'solid':
      return { kind, color };
    case 'stripes': {
      const angle = rng.range(0, Math.PI);
      return { kind, color, color2, period: rng.range(3, 10), cos: Math.cos(angle), sin: Math.sin(angle) };
    }
    case 'checker':
      return { kind, color, color2, cell: rng.int(3, 9) };
    case 'dots': {
      const spacing = rng.int(5, 11);
      return { kind, color, color2, spacing, radius: spacing * rng.range(0.2, 0.35) };
    }
    case 'noise':
      return { kind, color, color2, noise: createValueNoise(rng, width, height, rng.int(3, 10)) };
  }
}

/** Paints the spans with the texture and marks them as owned by `label`. */
export function paintSpans(canvas: Canvas, spans: SpanList, texture: Texture, label: number): void {
  const { rgb, labels, width } = canvas;
  const [r1, g1, b1] = texture.color;
  const [r2, g2, b2] = texture.kind === 'solid' ? texture.color : texture.color2;
  const s = spans.data;
  for (let k = 0; k < spans.count; k++) {
    const y = s[3 * k]!;
    const x0 = s[3 * k + 1]!;
    const x1 = s[3 * k + 2]!;
    const row = y * width;
    labels.fill(label, row + x0, row + x1);
    for (let x = x0; x < x1; x++) {
      const t = textureMix(texture, x, y);
      const o = (row + x) * 3;
      rgb[o] = r1 + (r2 - r1) * t;
      rgb[o + 1] = g1 + (g2 - g1) * t;
      rgb[o + 2] = b1 + (b2 - b1) * t;
    }
  }
}

/** 0 → colour, 1 → colour2, in between for the noise texture. */
function textureMix(t: Texture, x: number, y: number): number {
  switch (t.kind) {
    case 'solid':
      return 0;
    case 'stripes':
      return Math.floor((x * t.cos + y * t.sin) / t.period) & 1;
    case 'checker':
      return (Math.floor(x / t.cell) + Math.floor(y / t.cell)) & 1;
    case 'dots': {
      const dx = (x % t.spacing) - t.spacing / 2;
      const dy = (y % t.spacing) - t.spacing / 2;
      return dx * dx + dy * dy <= t.radius * t.radius ? 1 : 0;
    }
    case 'noise':
      return sampleValueNoise(t.noise, x, y);
  }
}
