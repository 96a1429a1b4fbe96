import type { BinaryMask } from '../rle/rle.types';
import type { PolygonRing } from './polygon.types';

/**
 * Rasterises rings with the EVEN-ODD rule over all rings together, sampling pixel centres
 * `(x + 0.5, y + 0.5)` (polygon.types.ts). Scanline: per row, the crossings of every edge with the
 * centre line (half-open in y, so shared vertices count once) are sorted and filled pairwise.
 * Accepts `PolygonRing`s or COCO-style flat coordinate lists.
 */
export function polygonsToMask(rings: ReadonlyArray<PolygonRing | readonly number[]>, height: number, width: number): BinaryMask {
  const data = new Uint8Array(height * width);
  const rows: number[][] = Array.from({ length: height }, () => []);
  for (const ring of rings) {
    const p = 'points' in ring ? ring.points : ring;
    if (p.length % 2 !== 0) throw new RangeError(`polygon has an odd number of coordinates (${p.length})`);
    const n = p.length / 2;
    for (let i = 0; i < n; i++) {
      const x1 = p[2 * i]!;
      const y1 = p[2 * i + 1]!;
      const j = (i + 1) % n;
      const x2 = p[2 * j]!;
      const y2 = p[2 * j + 1]!;
      if (y1 === y2) continue;
      const lo = Math.min(y1, y2);
      const hi = Math.max(y1, y2);
      // rows whose centre y + 0.5 lies in [lo, hi)
      const r0 = Math.max(0, Math.ceil(lo - 0.5));
      const r1 = Math.min(height, Math.ceil(hi - 0.5));
      for (let y = r0; y < r1; y++) rows[y]!.push(x1 + ((y + 0.5 - y1) * (x2 - x1)) / (y2 - y1));
    }
  }
  for (let y = 0; y < height; y++) {
    const xs = rows[y]!.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixel x is inside when xa ≤ x + 0.5 < xb
      const a = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const b = Math.min(width, Math.ceil(xs[k + 1]! - 0.5));
      if (b > a) data.fill(1, y * width + a, y * width + b);
    }
  }
  return { height, width, data };
}
