import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask, rleArea, rleFromString, rleToBboxCoco, rleToBboxSam, rleToString } from './index';
import {
  type MaskPattern,
  denseArea,
  denseBboxSam,
  denseCounts,
  firstMaskDifference,
  randomMask,
  seededRandom,
} from './rle.test-helpers';
import type { BinaryMask } from './rle.types';

const PATTERNS: MaskPattern[] = ['empty', 'full', 'noise', 'blobs', 'stripes'];

function randomShape(rand: () => number, i: number): [number, number] {
  switch (i % 6) {
    case 0:
      return [1, 1];
    case 1:
      return [1, 1 + Math.floor(rand() * 80)]; // single row
    case 2:
      return [1 + Math.floor(rand() * 80), 1]; // single column
    case 3:
      return [1 + Math.floor(rand() * 8), 1 + Math.floor(rand() * 8)];
    default:
      // widths of every residue mod 4 exercise each word-scan alignment path
      return [1 + Math.floor(rand() * 90), 1 + Math.floor(rand() * 90)];
  }
}

function checkMask(mask: BinaryMask): void {
  const rle = encodeMask(mask);
  expect(rle.size).toEqual([mask.height, mask.width]);
  expect(rle.counts).toEqual(denseCounts(mask));
  expect(firstMaskDifference(decodeRle(rle), mask)).toBeNull();
  const str = rleToString(rle.counts);
  expect(rleFromString(str)).toEqual(rle.counts);
  expect(firstMaskDifference(decodeRle({ size: rle.size, counts: str }), mask)).toBeNull();
  const area = denseArea(mask);
  expect(rleArea(rle)).toBe(area);
  const sam = denseBboxSam(mask);
  expect(rleToBboxSam(rle)).toEqual(sam);
  expect(rleToBboxCoco(rle)).toEqual(area === 0 ? [0, 0, 0, 0] : [sam[0], sam[1], sam[2] + 1, sam[3] + 1]);
}

describe('RLE randomized round trip (seeded)', () => {
  it('encode/decode/string/area/bbox agree with dense computations on 600 masks', () => {
    const rand = seededRandom(0x5a1b);
    for (let i = 0; i < 600; i++) {
      const [h, w] = randomShape(rand, i);
      const pattern = PATTERNS[Math.floor(rand() * PATTERNS.length)]!;
      checkMask(randomMask(rand, h, w, pattern));
    }
  });

  it('handles masks whose data view is not 8-byte aligned', () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 70; i++) {
      const h = 2 + Math.floor(rand() * 60);
      const w = 2 + Math.floor(rand() * 60);
      const src = randomMask(rand, h, w, i % 2 === 0 ? 'noise' : 'blobs');
      const backing = new Uint8Array(src.data.length + 8);
      const offset = 1 + (i % 7); // 1..7: every misalignment w.r.t. 8-byte words
      const view = backing.subarray(offset, offset + src.data.length);
      view.set(src.data);
      const mask = { height: h, width: w, data: view };
      expect(encodeMask(mask)).toEqual(encodeMask(src));
      checkMask(mask);
    }
  });

  it('decodes zero-length interior runs like pycocotools (they cancel)', () => {
    // [2, 0, 1, 1] on 2x2: runs 00 (empty ones-run) 0 1 -> column-major 0001
    expect(decodeRle({ size: [2, 2], counts: [2, 0, 1, 1] }).data).toEqual(Uint8Array.from([0, 0, 0, 1]));
  });

  it('handles zero-sized masks', () => {
    const empty = { height: 0, width: 5, data: new Uint8Array(0) };
    expect(encodeMask(empty)).toEqual({ size: [0, 5], counts: [0] });
    expect(decodeRle({ size: [0, 5], counts: [0] })).toEqual(empty);
    expect(rleToBboxSam({ size: [0, 5], counts: [0] })).toEqual([0, 0, 0, 0]);
  });
});

describe('SA-1B facts (SAM-SPEC §5.2)', () => {
  /** A mask with the given inclusive extent and exact area: top row + left column, then raster fill. */
  function extentMask(h: number, w: number, x0: number, y0: number, x1: number, y1: number, area: number): BinaryMask {
    const data = new Uint8Array(h * w);
    let n = 0;
    const set = (x: number, y: number): void => {
      if (data[y * w + x] === 0) {
        data[y * w + x] = 1;
        n++;
      }
    };
    for (let x = x0; x <= x1; x++) set(x, y0);
    for (let y = y0; y <= y1; y++) set(x0, y);
    for (let y = y0; y <= y1 && n < area; y++) for (let x = x0; x <= x1 && n < area; x++) set(x, y);
    return { height: h, width: w, data };
  }

  it('sa_3032002 annotation: 1500x2000, area 2381, extent x 773..854 y 789..835 → SAM bbox [773,789,81,46]', () => {
    const mask = extentMask(1500, 2000, 773, 789, 854, 835, 2381);
    const rle = encodeMask(mask);
    expect(rle.size).toEqual([1500, 2000]);
    expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(3_000_000);
    const str = rleToString(rle.counts);
    expect(rleArea({ size: rle.size, counts: str })).toBe(2381);
    expect(rleToBboxSam({ size: rle.size, counts: str })).toEqual([773, 789, 81, 46]);
    expect(rleToBboxCoco({ size: rle.size, counts: str })).toEqual([773, 789, 82, 47]);
    expect(firstMaskDifference(decodeRle({ size: rle.size, counts: str }), mask)).toBeNull();
  });

  it('sa_560 annotation: 1500x2250, area 7948, bbox [1167,157,107,129]; re-encoding gives the identical string', () => {
    const mask = extentMask(1500, 2250, 1167, 157, 1167 + 107, 157 + 129, 7948);
    const str = rleToString(encodeMask(mask).counts);
    const decoded = decodeRle({ size: [1500, 2250], counts: str });
    expect(rleArea({ size: [1500, 2250], counts: str })).toBe(7948);
    expect(rleToBboxSam({ size: [1500, 2250], counts: str })).toEqual([1167, 157, 107, 129]);
    expect(rleToString(encodeMask(decoded).counts)).toBe(str);
  });
});
