import { toUncompressedRle } from '../rle/rle-validate';
import type { Rle, UncompressedRle } from '../rle/rle.types';

/**
 * Connected components computed on run-length encodings (no pixel buffer): every run is split at
 * column boundaries into vertical segments, and segments of the same value in adjacent columns are
 * joined with union-find when they touch (8-connectivity: their row ranges overlap or meet at a
 * corner; 4-connectivity: they overlap). Work is O(runs + width).
 */

export type Connectivity = 4 | 8;

/** Column segments of a mask: segment k covers rows `[y0[k], y1[k])` of column `x[k]` with `value[k]`. */
export interface RleSegments {
  height: number;
  width: number;
  x: Int32Array;
  y0: Int32Array;
  y1: Int32Array;
  value: Uint8Array;
  /** Segments of column c are `colStart[c] .. colStart[c + 1] − 1`, top to bottom. */
  colStart: Int32Array;
}

export interface RleComponents {
  /** Component index per segment, or −1 for segments of the other value. */
  componentOf: Int32Array;
  /** Pixel count per component. */
  area: number[];
  /**
   * Components are numbered in raster (row-major) order of their first pixel — the order OpenCV's
   * connectedComponents labels them in — so "the first component with the largest area" breaks
   * ties the same way `np.argmax` over OpenCV's sizes does.
   */
  count: number;
}

export function rleToSegments(rle: Rle): RleSegments {
  const {
    size: [h, w],
    counts,
  } = toUncompressedRle(rle);
  const cap = counts.length + w;
  const x = new Int32Array(cap);
  const y0 = new Int32Array(cap);
  const y1 = new Int32Array(cap);
  const value = new Uint8Array(cap);
  const colStart = new Int32Array(w + 1);
  let n = 0;
  let pos = 0;
  for (let j = 0; j < counts.length; j++) {
    const end = pos + counts[j]!;
    while (pos < end) {
      const cx = (pos / h) | 0;
      const cy = pos - cx * h;
      const stop = Math.min(end, (cx + 1) * h);
      x[n] = cx;
      y0[n] = cy;
      y1[n] = cy + stop - pos;
      value[n] = j & 1;
      colStart[cx + 1]!++;
      n++;
      pos = stop;
    }
  }
  for (let c = 0; c < w; c++) colStart[c + 1]! += colStart[c]!;
  return { height: h, width: w, x: x.subarray(0, n), y0: y0.subarray(0, n), y1: y1.subarray(0, n), value: value.subarray(0, n), colStart };
}

/** Labels the connected components of pixels equal to `target` (0 = background, 1 = foreground). */
export function labelSegments(seg: RleSegments, target: 0 | 1, connectivity: Connectivity = 8): RleComponents {
  const n = seg.x.length;
  const parent = new Int32Array(n);
  for (let k = 0; k < n; k++) parent[k] = k;
  const find = (k: number): number => {
    let r = k;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[k] !== r) {
      const next = parent[k]!;
      parent[k] = r;
      k = next;
    }
    return r;
  };
  const slack = connectivity === 8 ? 1 : 0;
  for (let c = 0; c + 1 < seg.width; c++) {
    let i = seg.colStart[c]!;
    const iEnd = seg.colStart[c + 1]!;
    let j = iEnd;
    const jEnd = seg.colStart[c + 2]!;
    while (i < iEnd && j < jEnd) {
      if (seg.value[i] !== target) {
        i++;
        continue;
      }
      if (seg.value[j] !== target) {
        j++;
        continue;
      }
      if (seg.y0[j]! < seg.y1[i]! + slack && seg.y0[i]! < seg.y1[j]! + slack) {
        const ri = find(i);
        const rj = find(j);
        if (ri !== rj) parent[ri < rj ? rj : ri] = ri < rj ? ri : rj;
      }
      if (seg.y1[i]! <= seg.y1[j]!) i++;
      else j++;
    }
  }
  // Raster key of a segment's first pixel: y0 · width + x. Number roots by their component's minimum.
  const rootKey = new Float64Array(n).fill(Infinity);
  const rootArea = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (seg.value[k] !== target) continue;
    const r = find(k);
    const key = seg.y0[k]! * seg.width + seg.x[k]!;
    if (key < rootKey[r]!) rootKey[r] = key;
    rootArea[r]! += seg.y1[k]! - seg.y0[k]!;
  }
  const roots: number[] = [];
  for (let k = 0; k < n; k++) if (seg.value[k] === target && parent[k] === k) roots.push(k);
  roots.sort((a, b) => rootKey[a]! - rootKey[b]!);
  const index = new Int32Array(n).fill(-1);
  roots.forEach((r, i) => (index[r] = i));
  const componentOf = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) if (seg.value[k] === target) componentOf[k] = index[find(k)]!;
  return { componentOf, area: roots.map((r) => rootArea[r]!), count: roots.length };
}

/** Re-encodes segments with a new value per segment (`newValue(k)` → 0 or 1). */
export function segmentsToRle(seg: RleSegments, newValue: (k: number) => number): UncompressedRle {
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let k = 0; k < seg.x.length; k++) {
    const v = newValue(k) & 1;
    const len = seg.y1[k]! - seg.y0[k]!;
    if (v === value) run += len;
    else {
      counts.push(run);
      value = v;
      run = len;
    }
  }
  if (run > 0 || counts.length === 0) counts.push(run);
  return { size: [seg.height, seg.width], counts };
}
