import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask, rleToString } from '../rle/index';
import { type MaskPattern, denseArea, maskFromRows, randomMask, seededRandom } from '../rle/rle.test-helpers';
import type { BinaryMask } from '../rle/rle.types';
import { labelSegments, rleToSegments } from './rle-components';
import { rleIntersect, rleIntersectionArea, rleIou, rleMerge, rleMergeAll, rleOverlap, rlePaste, rleSubtract, rleUnionArea } from './index';

const PATTERNS: MaskPattern[] = ['empty', 'full', 'noise', 'blobs', 'stripes'];

function denseOp(a: BinaryMask, b: BinaryMask, op: (x: number, y: number) => number): BinaryMask {
  const data = new Uint8Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = op(a.data[i]!, b.data[i]!);
  return { height: a.height, width: a.width, data };
}

describe('RLE boolean ops and IoU on runs', () => {
  it('match dense computation on 250 randomized mask pairs', () => {
    const rand = seededRandom(7);
    for (let t = 0; t < 250; t++) {
      const h = 1 + Math.floor(rand() * 40);
      const w = 1 + Math.floor(rand() * 40);
      const a = randomMask(rand, h, w, PATTERNS[t % 5]!);
      const b = randomMask(rand, h, w, PATTERNS[Math.floor(rand() * 5)]!);
      const ra = encodeMask(a);
      const rb = t % 2 === 0 ? encodeMask(b) : { size: [h, w] as [number, number], counts: rleToString(encodeMask(b).counts) };
      const inter = denseArea(denseOp(a, b, (x, y) => x & y));
      const union = denseArea(denseOp(a, b, (x, y) => x | y));
      expect(rleIntersectionArea(ra, rb)).toBe(inter);
      expect(rleUnionArea(ra, rb)).toBe(union);
      expect(rleIou(ra, rb)).toBe(union > 0 ? inter / union : 0);
      expect(rleOverlap(ra, rb)).toEqual({ intersection: inter, union, areaA: denseArea(a), areaB: denseArea(b) });
      expect(rleMerge(ra, rb)).toEqual(encodeMask(denseOp(a, b, (x, y) => x | y)));
      expect(rleIntersect(ra, rb)).toEqual(encodeMask(denseOp(a, b, (x, y) => x & y)));
      expect(rleSubtract(ra, rb)).toEqual(encodeMask(denseOp(a, b, (x, y) => x & (1 - y))));
    }
  });

  it('handles zero-length runs, empty and full masks', () => {
    const empty = { size: [2, 3] as [number, number], counts: [6] };
    const full = { size: [2, 3] as [number, number], counts: [0, 6] };
    const odd = { size: [2, 3] as [number, number], counts: [0, 0, 2, 4] }; // leading zero-length runs
    expect(rleIou(empty, empty)).toBe(0);
    expect(rleIou(full, full)).toBe(1);
    expect(rleMerge(empty, full)).toEqual(full);
    expect(rleSubtract(full, full)).toEqual(empty);
    expect(rleIntersect(odd, full)).toEqual({ size: [2, 3], counts: [2, 4] });
    expect(rleMergeAll([empty, odd, empty])).toEqual({ size: [2, 3], counts: [2, 4] });
  });

  it('rejects masks of different sizes with a clear message', () => {
    const a = { size: [2, 3] as [number, number], counts: [6] };
    const b = { size: [3, 2] as [number, number], counts: [6] };
    expect(() => rleIou(a, b)).toThrow(/rleOverlap: RLE sizes differ \(\[2,3\] vs \[3,2\]\)/);
    expect(() => rleMerge(a, b)).toThrow(/rleMerge: RLE sizes differ/);
  });
});

describe('rlePaste', () => {
  it('equals encoding the crop pasted into a dense canvas', () => {
    const rand = seededRandom(11);
    for (let t = 0; t < 200; t++) {
      const H = 1 + Math.floor(rand() * 30);
      const W = 1 + Math.floor(rand() * 30);
      const hc = 1 + Math.floor(rand() * H);
      const wc = 1 + Math.floor(rand() * W);
      const x0 = Math.floor(rand() * (W - wc + 1));
      const y0 = Math.floor(rand() * (H - hc + 1));
      const crop = randomMask(rand, hc, wc, PATTERNS[t % 5]!);
      const canvas = new Uint8Array(H * W);
      for (let y = 0; y < hc; y++) for (let x = 0; x < wc; x++) canvas[(y + y0) * W + x + x0] = crop.data[y * wc + x]!;
      const pasted = rlePaste(encodeMask(crop), x0, y0, H, W);
      expect(pasted).toEqual(encodeMask({ height: H, width: W, data: canvas }));
      expect(decodeRle(pasted).data).toEqual(canvas);
    }
  });

  it('rejects a crop that does not fit', () => {
    expect(() => rlePaste({ size: [2, 2], counts: [4] }, 3, 0, 4, 4)).toThrow(/does not fit in 4x4/);
  });
});

describe('run-based connected components', () => {
  it('labels 8- and 4-connected components in raster order of their first pixel', () => {
    const seg = rleToSegments(encodeMask(maskFromRows(['0011', '1000', '0100', '0001'])));
    const eight = labelSegments(seg, 1, 8);
    expect(eight.area).toEqual([2, 2, 1]); // {(2,0),(3,0)}, {(0,1),(1,2)}, {(3,3)}
    const four = labelSegments(seg, 1, 4);
    expect(four.area).toEqual([2, 1, 1, 1]);
    expect(labelSegments(seg, 0, 8).area).toEqual([11]);
  });
});
