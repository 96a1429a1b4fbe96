import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask } from './index';
import { canonicalRunCounts, maxCanonicalRuns, maxCompressedRleLength } from './rle-canonical';
import { rleToString } from './rle-string';

describe('canonicalRunCounts', () => {
  it('keeps canonical counts as they are (the same array), a leading empty run included', () => {
    const counts = [0, 3, 2, 7];
    expect(canonicalRunCounts(counts)).toBe(counts);
    expect(canonicalRunCounts([12])).toEqual([12]);
  });

  it('merges empty runs inside the list and drops an empty last run', () => {
    expect(canonicalRunCounts([2, 0, 3, 4])).toEqual([5, 4]);
    expect(canonicalRunCounts([2, 3, 0, 0, 4])).toEqual([2, 3, 4]);
    expect(canonicalRunCounts([2, 0, 0, 0, 3])).toEqual([5]);
    expect(canonicalRunCounts([0, 0, 5, 1])).toEqual([5, 1]);
    expect(canonicalRunCounts([4, 2, 0])).toEqual([4, 2]);
    expect(canonicalRunCounts([4, 2, 3, 0, 0])).toEqual([4, 2, 3]);
  });

  it('describes the same pixels and equals what encodeMask makes of them', () => {
    const size: [number, number] = [5, 4];
    const padded = [3, 0, 0, 2, 0, 1, 4, 0, 0, 0, 0, 6, 4, 0];
    const canonical = canonicalRunCounts(padded);
    expect(decodeRle({ size, counts: [...canonical] }).data).toEqual(decodeRle({ size, counts: padded }).data);
    expect(canonical).toEqual(encodeMask(decodeRle({ size, counts: padded })).counts);
    expect(canonical.slice(1)).not.toContain(0);
  });

  it('bounds the runs and the string length of an h×w mask', () => {
    // a checkerboard column is the worst case: every pixel its own run
    const h = 3;
    const w = 3;
    const data = Uint8Array.from({ length: h * w }, (_, i) => (i + 1) % 2);
    const { counts } = encodeMask({ height: h, width: w, data });
    expect(counts.length).toBeLessThanOrEqual(maxCanonicalRuns([h, w]));
    expect(rleToString(counts).length).toBeLessThanOrEqual(maxCompressedRleLength([h, w]));
    expect(maxCanonicalRuns([1500, 2250])).toBe(3_375_001);
  });
});
