import type { BboxXywh, BinaryMask } from '@dataengine/segment';

/**
 * The mask pixel farthest from the mask boundary (3-4 chamfer distance, pixels outside the mask
 * or the image count as boundary), restricted to the instance's bbox. Ties → first in raster
 * order, so the result is deterministic. Returns [x, y] pixel indices; null for an empty mask.
 */
export function interiorPoint(mask: BinaryMask, bbox: BboxXywh): [number, number] | null {
  const [bx, by, bwm1, bhm1] = bbox;
  const bw = bwm1 + 1;
  const bh = bhm1 + 1;
  // Distance grid with a one-pixel zero border around the bbox.
  const gw = bw + 2;
  const gh = bh + 2;
  const dist = new Int32Array(gw * gh);
  const big = 1 << 28;
  const { width, data } = mask;
  for (let y = 0; y < bh; y++) {
    const src = (by + y) * width + bx;
    const dst = (y + 1) * gw + 1;
    for (let x = 0; x < bw; x++) dist[dst + x] = data[src + x] === 1 ? big : 0;
  }
  for (let y = 1; y < gh - 1; y++) {
    for (let x = 1, i = y * gw + 1; x < gw - 1; x++, i++) {
      const d = dist[i]!;
      if (d === 0) continue;
      dist[i] = Math.min(d, dist[i - 1]! + 3, dist[i - gw]! + 3, dist[i - gw - 1]! + 4, dist[i - gw + 1]! + 4);
    }
  }
  let best = -1;
  let bestX = 0;
  let bestY = 0;
  for (let y = gh - 2; y >= 1; y--) {
    for (let x = gw - 2, i = y * gw + x; x >= 1; x--, i--) {
      const d0 = dist[i]!;
      if (d0 === 0) continue;
      const d = Math.min(d0, dist[i + 1]! + 3, dist[i + gw]! + 3, dist[i + gw + 1]! + 4, dist[i + gw - 1]! + 4);
      dist[i] = d;
      // >= while scanning backwards keeps the first pixel in raster order on ties
      if (d >= best) {
        best = d;
        bestX = x - 1;
        bestY = y - 1;
      }
    }
  }
  return best < 0 ? null : [bx + bestX, by + bestY];
}
