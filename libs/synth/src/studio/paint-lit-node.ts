import { squaredDistanceToBoundary } from '@dataengine/segment';
import type { SpanList } from '../geometry/shape.types';
import { boxBlur } from './box-blur';
import { type Material, materialMix } from './studio-materials';
import type { NodeRaster, ObjectGradient, StudioCanvas, StudioLight, StudioNode } from './studio.types';
import type { TiledNoise } from './tiled-noise';

/** Metals: how much of their look is the tinted highlight rather than diffuse light. */
const METAL_DIFFUSE = 0.55;
const METAL_SPEC_BOOST = 1.6;
/** Reliefs are capped below draw-studio-object's FRAME_MARGIN, so clipping far outside the frame never shows. */
const MAX_RELIEF = 48;
/** Height-field smoothing radius as a fraction of the relief, and its cap in pixels. */
const RIDGE_SMOOTHING = 0.15;
const MAX_RIDGE_SMOOTHING = 6;

/**
 * Paints one node onto the canvas and marks its pixels with `label`. A solid node is shaded
 * from a height field built on its own outline (distance to the edge through a rounded
 * profile of `relief` pixels): Lambert diffuse + Blinn–Phong highlight for the scene light,
 * times the object's light gradient. A decal (relief 0) keeps the shading already there.
 */
export function paintLitNode(
  canvas: StudioCanvas,
  node: StudioNode,
  raster: NodeRaster,
  light: StudioLight,
  noise: TiledNoise,
  label: number,
  gradient: ObjectGradient,
): void {
  if (raster.spans.count === 0) return;
  if (node.relief === 0) {
    paintDecal(canvas, node.material, raster, noise, label);
    return;
  }
  const field = heightField(raster.spans, node.relief);
  const { width, height, rgb, labels, shade, spec } = canvas;
  const m = node.material;
  const [r1, g1, b1] = m.color;
  const [r2, g2, b2] = m.color2;
  const hx = light.x;
  const hy = light.y;
  const hz = light.z + 1;
  const hLen = Math.hypot(hx, hy, hz);
  const sign = node.relief < 0 ? -1 : 1;
  const { data, count } = raster.spans;
  const { h: hf, w: fw, x0: fx0, y0: fy0 } = field;
  for (let k = 0; k < count; k++) {
    const y = data[3 * k]! + raster.y0;
    if (y < 0 || y >= height) continue;
    const xa = Math.max(0, data[3 * k + 1]! + raster.x0);
    const xb = Math.min(width, data[3 * k + 2]! + raster.x0);
    const fy = y - raster.y0 - fy0;
    for (let x = xa; x < xb; x++) {
      const fi = fy * fw + (x - raster.x0 - fx0);
      const nx = sign * (hf[fi - 1]! - hf[fi + 1]!) * 0.5;
      const ny = sign * (hf[fi - fw]! - hf[fi + fw]!) * 0.5;
      const inv = 1 / Math.sqrt(nx * nx + ny * ny + 1);
      const ndotl = Math.max(0, (nx * light.x + ny * light.y + light.z) * inv);
      let diffuse = light.ambient + ((1 - light.ambient) * ndotl) / light.z;
      const ndoth = Math.max(0, ((nx * hx + ny * hy + hz) * inv) / hLen);
      let highlight = m.gloss * ndoth ** m.shininess;
      if (m.metallic) {
        diffuse = METAL_DIFFUSE * diffuse + (1 - METAL_DIFFUSE) * ndotl * ndotl;
        highlight *= METAL_SPEC_BOOST;
      }
      const lit = diffuse * Math.max(0.4, 1 + gradient.gx * (x - gradient.cx) + gradient.gy * (y - gradient.cy));
      const t = materialMix(m, noise, x, y);
      const p = y * width + x;
      const o = p * 3;
      const sr = m.metallic ? 0.5 * (r1 + 255) : 255;
      const sg = m.metallic ? 0.5 * (g1 + 255) : 255;
      const sb = m.metallic ? 0.5 * (b1 + 255) : 255;
      rgb[o] = (r1 + (r2 - r1) * t) * lit + highlight * sr;
      rgb[o + 1] = (g1 + (g2 - g1) * t) * lit + highlight * sg;
      rgb[o + 2] = (b1 + (b2 - b1) * t) * lit + highlight * sb;
      labels[p] = label;
      shade[p] = lit;
      spec[p] = highlight;
    }
  }
}

/** Printed on what is beneath: that pixel's light, and its highlight scaled by this material's gloss. */
function paintDecal(canvas: StudioCanvas, m: Material, raster: NodeRaster, noise: TiledNoise, label: number): void {
  const { width, height, rgb, labels, shade, spec } = canvas;
  const [r1, g1, b1] = m.color;
  const [r2, g2, b2] = m.color2;
  const glossRatio = Math.min(1, m.gloss * 2);
  const { data, count } = raster.spans;
  for (let k = 0; k < count; k++) {
    const y = data[3 * k]! + raster.y0;
    if (y < 0 || y >= height) continue;
    const xa = Math.max(0, data[3 * k + 1]! + raster.x0);
    const xb = Math.min(width, data[3 * k + 2]! + raster.x0);
    for (let x = xa; x < xb; x++) {
      const p = y * width + x;
      const o = p * 3;
      const t = materialMix(m, noise, x, y);
      const lit = shade[p]!;
      const highlight = spec[p]! * glossRatio * 255;
      rgb[o] = (r1 + (r2 - r1) * t) * lit + highlight;
      rgb[o + 1] = (g1 + (g2 - g1) * t) * lit + highlight;
      rgb[o + 2] = (b1 + (b2 - b1) * t) * lit + highlight;
      labels[p] = label;
      spec[p] = spec[p]! * glossRatio;
    }
  }
}

interface HeightField {
  /** Heights over the spans' bounding box plus one outside cell on every side. */
  h: Float32Array;
  w: number;
  /** Offset of cell (0, 0) in span coordinates. */
  x0: number;
  y0: number;
}

/** Height above the table: `relief` · √(1 − (1 − d/relief)²) at distance d from the outline, flat beyond. */
function heightField(spans: SpanList, relief: number): HeightField {
  const { data, count } = spans;
  let x0 = Infinity;
  let x1 = -Infinity;
  const y0 = data[0]!;
  const y1 = data[3 * (count - 1)]!;
  for (let k = 0; k < count; k++) {
    x0 = Math.min(x0, data[3 * k + 1]!);
    x1 = Math.max(x1, data[3 * k + 2]!);
  }
  const w = x1 - x0 + 2;
  const rows = y1 - y0 + 3;
  const inside = new Uint8Array(w * rows);
  for (let k = 0; k < count; k++) {
    const row = (data[3 * k]! - y0 + 1) * w;
    inside.fill(1, row + data[3 * k + 1]! - x0 + 1, row + data[3 * k + 2]! - x0 + 1);
  }
  const sq = squaredDistanceToBoundary({ width: w, height: rows, data: inside });
  const r = Math.min(MAX_RELIEF, Math.max(1, Math.abs(relief)));
  const h = new Float32Array(w * rows);
  for (let i = 0; i < h.length; i++) {
    if (inside[i] !== 1) continue;
    const t = Math.min(1, (Math.sqrt(sq[i]!) - 0.5) / r);
    h[i] = r * Math.sqrt(1 - (1 - t) * (1 - t));
  }
  // the distance field creases along the outline's medial axis (roof-like ridges): smooth them away
  boxBlur(h, w, rows, 1, Math.min(MAX_RIDGE_SMOOTHING, r * RIDGE_SMOOTHING), 2);
  return { h, w, x0: x0 - 1, y0: y0 - 1 };
}
