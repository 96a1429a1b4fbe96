import { boxBlur } from './box-blur';
import type { NodeRaster, ObjectLook, Region, StudioCanvas } from './studio.types';

/** Strength of the tight contact shadow relative to the drop shadow. */
const CONTACT_SHADOW = 0.45;

interface ShadowGrid {
  /** Full-resolution canvas origin of the grid and its size in half-resolution cells. */
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/**
 * Darkens the canvas under the object's silhouette shifted away from the light and blurred
 * (a soft drop shadow), times a tight contact shadow right at its foot. Shadows are soft, so
 * both are built at half resolution (coverage-weighted) and interpolated back. Labels are not
 * touched: a shadow is never part of any mask.
 */
export function castShadow(canvas: StudioCanvas, rasters: NodeRaster[], region: Region, look: ObjectLook): void {
  const drop = { dx: Math.round(look.shadowDx), dy: Math.round(look.shadowDy), radius: Math.max(1, Math.round(look.shadowBlur / 4)) };
  const contact = { dx: Math.round(look.shadowDx * 0.25), dy: Math.round(look.shadowDy * 0.25), radius: 1 };
  // one frame for both layers: the region grown by each layer's offset and the blur's reach
  const reach = 4 * drop.radius + 4;
  const x0 = region.x0 + Math.min(0, drop.dx, contact.dx) - reach;
  const y0 = region.y0 + Math.min(0, drop.dy, contact.dy) - reach;
  const x1 = region.x0 + region.w + Math.max(0, drop.dx, contact.dx) + reach;
  const y1 = region.y0 + region.h + Math.max(0, drop.dy, contact.dy) + reach;
  const grid: ShadowGrid = { x0, y0, w: Math.ceil((x1 - x0) / 2) + 1, h: Math.ceil((y1 - y0) / 2) + 1 };
  const a = coverage(grid, rasters, drop.dx, drop.dy);
  boxBlur(a, grid.w, grid.h, 1, drop.radius, 2);
  const b = coverage(grid, rasters, contact.dx, contact.dy);
  boxBlur(b, grid.w, grid.h, 1, contact.radius, 1);

  const sa = look.shadowStrength;
  const sb = look.shadowStrength * CONTACT_SHADOW;
  const { width, height, rgb } = canvas;
  const cx0 = Math.max(0, x0);
  const cx1 = Math.min(width, x1);
  // half-resolution cell i is centred on full-resolution pixel edge 2i + 1 (relative to x0)
  const ix = new Int32Array(cx1 - cx0);
  const tx = new Float32Array(cx1 - cx0);
  for (let x = cx0; x < cx1; x++) {
    const u = Math.max(0, (x - x0 - 0.5) / 2);
    ix[x - cx0] = Math.floor(u);
    tx[x - cx0] = u - Math.floor(u);
  }
  for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
    const v = Math.max(0, (y - y0 - 0.5) / 2);
    const r0 = Math.floor(v) * grid.w;
    const r1 = r0 + grid.w;
    const ty = v - Math.floor(v);
    for (let x = cx0; x < cx1; x++) {
      const i = ix[x - cx0]!;
      const t = tx[x - cx0]!;
      const aTop = a[r0 + i]! + (a[r0 + i + 1]! - a[r0 + i]!) * t;
      const aBottom = a[r1 + i]! + (a[r1 + i + 1]! - a[r1 + i]!) * t;
      const bTop = b[r0 + i]! + (b[r0 + i + 1]! - b[r0 + i]!) * t;
      const bBottom = b[r1 + i]! + (b[r1 + i + 1]! - b[r1 + i]!) * t;
      const f = (1 - sa * (aTop + (aBottom - aTop) * ty)) * (1 - sb * (bTop + (bBottom - bTop) * ty));
      if (f >= 1) continue;
      const o = (y * width + x) * 3;
      rgb[o] = rgb[o]! * f;
      rgb[o + 1] = rgb[o + 1]! * f;
      rgb[o + 2] = rgb[o + 2]! * f;
    }
  }
}

/** Fraction of each half-resolution cell covered by the silhouette shifted by (dx, dy). */
function coverage(grid: ShadowGrid, rasters: NodeRaster[], dx: number, dy: number): Float32Array {
  const cells = new Float32Array(grid.w * grid.h);
  for (const { spans, x0, y0 } of rasters) {
    const { data, count } = spans;
    for (let k = 0; k < count; k++) {
      const row = ((data[3 * k]! + y0 + dy - grid.y0) >> 1) * grid.w;
      const xs = x0 + dx - grid.x0;
      for (let x = data[3 * k + 1]! + xs, end = data[3 * k + 2]! + xs; x < end; x++) cells[row + (x >> 1)]! += 0.25;
    }
  }
  return cells;
}
