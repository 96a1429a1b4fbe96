import type { BinaryMask } from '../rle/rle.types';

/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher's lower envelope of
 * parabolas, separable): for each pixel of `region` (value 1) the squared distance between its
 * centre and the nearest pixel centre outside the region, where everything beyond the image border
 * counts as outside (the image is padded by one background pixel). Outside pixels get 0.
 */
export function squaredDistanceToBoundary(region: BinaryMask): Float64Array {
  const { width: w, height: h, data } = region;
  const pw = w + 2;
  const ph = h + 2;
  const f = new Float64Array(pw * ph);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (data[y * w + x] === 1) f[(y + 1) * pw + x + 1] = Infinity;
  const n = Math.max(pw, ph);
  const line = new Float64Array(n);
  const res = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < pw; x++) {
    for (let y = 0; y < ph; y++) line[y] = f[y * pw + x]!;
    envelope(line, ph, res, v, z);
    for (let y = 0; y < ph; y++) f[y * pw + x] = res[y]!;
  }
  for (let y = 0; y < ph; y++) {
    line.set(f.subarray(y * pw, y * pw + pw));
    envelope(line, pw, res, v, z);
    f.set(res.subarray(0, pw), y * pw);
  }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = f[(y + 1) * pw + x + 1]!;
  return out;
}

/** 1-D squared distance transform of `f[0..n)` into `d` (F&H 2012, Algorithm 1). */
function envelope(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  let first = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] !== Infinity) {
      first = q;
      break;
    }
  }
  if (first < 0) {
    d.fill(Infinity, 0, n);
    return;
  }
  v[0] = first;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = first + 1; q < n; q++) {
    if (f[q] === Infinity) continue;
    let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const dq = q - v[k]!;
    d[q] = dq * dq + f[v[k]!]!;
  }
}

/**
 * The region pixel farthest from the region's boundary (its "centre"), first in raster order on
 * ties; null for an empty region. `distance` is Euclidean, in pixels, to the nearest outside pixel.
 * Works on the region's bounding box only: the nearest outside pixel of any region pixel lies in the
 * box or on the one-pixel ring around it (the transform's padding), so the result is the same.
 */
export function farthestFromBoundary(region: BinaryMask): { x: number; y: number; distance: number } | null {
  const box = regionBounds(region);
  if (box === null) return null;
  const [x0, y0, x1, y1] = box;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const crop = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(region.data.subarray((y0 + y) * region.width + x0, (y0 + y) * region.width + x0 + bw), y * bw);
  const d2 = squaredDistanceToBoundary({ width: bw, height: bh, data: crop });
  let best = -1;
  let bestD = 0;
  for (let i = 0; i < d2.length; i++) {
    if (crop[i] === 1 && d2[i]! > bestD) {
      bestD = d2[i]!;
      best = i;
    }
  }
  return best < 0 ? null : { x: x0 + (best % bw), y: y0 + Math.floor(best / bw), distance: Math.sqrt(bestD) };
}

/** Inclusive `[x0, y0, x1, y1]` of the region's pixels; null when empty. */
function regionBounds(region: BinaryMask): [number, number, number, number] | null {
  const { width: w, height: h, data } = region;
  let x0 = w;
  let y0 = -1;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let first = -1;
    let last = -1;
    for (let x = 0; x < w; x++) {
      if (data[row + x] === 1) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return y0 < 0 ? null : [x0, y0, x1, y1];
}
