// Brush and eraser on a binary mask (row-major, image pixels), and the colours masks are drawn in.
import type { BinaryMask } from '@dataengine/segment';
import type { BrushStroke } from './prompt-reducer';

export const BRUSH_MIN = 1;
export const BRUSH_MAX = 200;
export const BRUSH_DEFAULT = 8;

/** `[` and `]` step the brush radius by about 20 %, at least 1 px. */
export function stepBrush(radius: number, direction: 1 | -1): number {
  const next = direction > 0 ? Math.max(radius + 1, Math.round(radius * 1.2)) : Math.min(radius - 1, Math.round(radius / 1.2));
  return Math.min(BRUSH_MAX, Math.max(BRUSH_MIN, next));
}

function stampDisc(data: Uint8Array, width: number, height: number, cx: number, cy: number, r: number, value: 0 | 1): void {
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(width - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(height - 1, Math.ceil(cy + r));
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    const row = y * width;
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      if (dx * dx + dy * dy <= r2) data[row + x] = value;
    }
  }
}

/** Paints one stroke: discs along each segment, spaced at most half a radius apart. */
export function applyStroke(mask: BinaryMask, stroke: BrushStroke): void {
  const value = stroke.mode === 'paint' ? 1 : 0;
  const step = Math.max(0.5, stroke.radius / 2);
  const pts = stroke.points;
  if (pts.length === 1) stampDisc(mask.data, mask.width, mask.height, pts[0]![0], pts[0]![1], stroke.radius, value);
  for (let i = 1; i < pts.length; i++) {
    const [ax, ay] = pts[i - 1]!;
    const [bx, by] = pts[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / step));
    for (let k = 0; k <= n; k++) stampDisc(mask.data, mask.width, mask.height, ax + ((bx - ax) * k) / n, ay + ((by - ay) * k) / n, stroke.radius, value);
  }
}

/** The base mask (decoder output or a saved mask; none = empty) with the strokes applied, as a new mask. */
export function composeMask(base: BinaryMask | null, width: number, height: number, strokes: readonly BrushStroke[]): BinaryMask {
  // nothing to apply: the base itself (masks are never mutated once made)
  if (strokes.length === 0 && base && base.width === width && base.height === height) return base;
  const data = base ? base.data.slice() : new Uint8Array(width * height);
  const mask = { width, height, data };
  for (const stroke of strokes) applyStroke(mask, stroke);
  return mask;
}

export function maskArea(mask: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) n += mask.data[i]!;
  return n;
}

/** Distinct, colour-blind-friendly-ish hues for saved masks (Okabe–Ito order, then repeats). */
export const MASK_COLOURS: readonly [number, number, number][] = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [240, 228, 66],
  [0, 114, 178],
  [213, 94, 0],
  [204, 121, 167],
  [150, 110, 230],
];
/** The mask being made (the SAM demo's blue). */
export const CURRENT_COLOUR: [number, number, number] = [0, 114, 189];

export const maskColour = (index: number): [number, number, number] => MASK_COLOURS[index % MASK_COLOURS.length]!;

export const cssColour = ([r, g, b]: readonly [number, number, number], alpha = 1): string => `rgb(${r} ${g} ${b} / ${alpha})`;

/** Writes `mask` into an RGBA buffer in one colour (alpha 0–255) where it is set. */
export function paintMaskRgba(rgba: Uint8ClampedArray, mask: BinaryMask, [r, g, b]: readonly [number, number, number], alpha: number): void {
  const d = mask.data;
  // one 32-bit write per pixel (RGBA bytes in memory order on a little-endian machine, as every browser runs)
  const pixels = new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.length >> 2);
  const packed = ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
  for (let i = 0; i < d.length; i++) if (d[i]) pixels[i] = packed;
}
