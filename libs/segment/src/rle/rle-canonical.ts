import type { RleSize } from './rle.types';

/**
 * Canonical run lengths (SAM-SPEC.md §4.1): runs alternate 0/1 starting with zeros, and no run is
 * empty except the first (a mask whose first pixel is foreground). This is what `encodeMask` and
 * pycocotools' `encode` produce. A zero-length run inside the list is merged away — `[a, 0, b]`
 * becomes `[a + b]`, the same pixels — and a zero-length last run is dropped. Returns `counts`
 * itself when it already is canonical.
 */
export function canonicalRunCounts(counts: readonly number[]): readonly number[] {
  const m = counts.length;
  let j = 1;
  while (j < m && counts[j] !== 0) j++;
  if (j >= m) return counts;
  const out = counts.slice(0, j);
  for (; j < m; j++) {
    const c = counts[j]!;
    if (c !== 0) {
      out.push(c);
      continue;
    }
    // an empty run: the runs on either side have the same value and become one
    if (j + 1 < m) out[out.length - 1]! += counts[j + 1]!;
    j++;
  }
  return out;
}

/** Most runs a canonical RLE of an h×w mask can have: a leading empty run, then one per pixel. */
export function maxCanonicalRuns(size: RleSize): number {
  return size[0] * size[1] + 1;
}

/**
 * Longest COCO string a canonical RLE of an h×w mask can be: at most `maxCanonicalRuns` values of
 * at most 7 characters each (a count or delta below 2^31, SAM-SPEC.md §4.2). A longer string is
 * refused without being decoded.
 */
export function maxCompressedRleLength(size: RleSize): number {
  return 7 * maxCanonicalRuns(size);
}
