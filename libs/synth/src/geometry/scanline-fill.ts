import type { Shape, SpanList } from './shape.types';

/**
 * Even-odd scanline polygon fill sampled at pixel centres: pixel (x, y) is inside when the
 * point (x + 0.5, y + 0.5) is inside the shape. Edges are half-open in y (min ≤ yc < max), so
 * shared vertices are counted once and no pixel is claimed twice by abutting shapes. Holes work
 * through the even-odd rule across all rings.
 */
export function rasterizeShape(shape: Shape, width: number, height: number): SpanList {
  let edgeCount = 0;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const ring of shape.rings) {
    edgeCount += ring.length >> 1;
    for (let i = 1; i < ring.length; i += 2) {
      const y = ring[i]!;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  // Edge table: x0, y0, x1, y1 per edge, with y0 < y1 (horizontal edges dropped).
  const edges = new Float64Array(edgeCount * 4);
  let ne = 0;
  for (const ring of shape.rings) {
    const n = ring.length >> 1;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const ax = ring[2 * i]!;
      const ay = ring[2 * i + 1]!;
      const bx = ring[2 * j]!;
      const by = ring[2 * j + 1]!;
      if (ay === by) continue;
      const o = ne * 4;
      if (ay < by) {
        edges[o] = ax;
        edges[o + 1] = ay;
        edges[o + 2] = bx;
        edges[o + 3] = by;
      } else {
        edges[o] = bx;
        edges[o + 1] = by;
        edges[o + 2] = ax;
        edges[o + 3] = ay;
      }
      ne++;
    }
  }

  const yStart = Math.max(0, Math.ceil(minY - 0.5));
  const yEnd = Math.min(height - 1, Math.ceil(maxY - 0.5) - 1);
  const xs = new Float64Array(Math.max(ne, 2));
  let spans = new Int32Array(Math.max(16, (yEnd - yStart + 1) * 6));
  let count = 0;
  for (let y = yStart; y <= yEnd; y++) {
    const yc = y + 0.5;
    let nx = 0;
    for (let e = 0; e < ne; e++) {
      const o = e * 4;
      const y0 = edges[o + 1]!;
      const y1 = edges[o + 3]!;
      if (yc < y0 || yc >= y1) continue;
      const x0 = edges[o]!;
      const x = x0 + ((yc - y0) * (edges[o + 2]! - x0)) / (y1 - y0);
      // insertion sort: crossing counts per row are small
      let k = nx++;
      while (k > 0 && xs[k - 1]! > x) {
        xs[k] = xs[k - 1]!;
        k--;
      }
      xs[k] = x;
    }
    for (let k = 0; k + 1 < nx; k += 2) {
      // pixel centres x + 0.5 in [xa, xb)
      const xa = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const xb = Math.min(width, Math.ceil(xs[k + 1]! - 0.5));
      if (xb <= xa) continue;
      if (count * 3 + 3 > spans.length) {
        const grown = new Int32Array(spans.length * 2);
        grown.set(spans);
        spans = grown;
      }
      spans[count * 3] = y;
      spans[count * 3 + 1] = xa;
      spans[count * 3 + 2] = xb;
      count++;
    }
  }
  return { data: spans, count };
}
