import { describe, expect, it } from 'vitest';
import {
  compressRle,
  decodeRle,
  decompressRle,
  encodeMask,
  rleArea,
  rleFromString,
  rleToBboxCoco,
  rleToBboxSam,
  rleToString,
} from './index';
import { maskFromRows } from './rle.test-helpers';
import type { BboxXywh, BinaryMask } from './rle.types';

interface WorkedExample {
  name: string;
  mask: BinaryMask;
  counts: number[];
  str: string;
  area: number;
  bboxSam: BboxXywh;
  bboxCoco: BboxXywh;
}

function blockMask(h: number, w: number, y0: number, y1: number, x0: number, x1: number): BinaryMask {
  const data = new Uint8Array(h * w);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) data[y * w + x] = 1;
  return { height: h, width: w, data };
}

// SAM-SPEC.md §4.3, every worked example and edge case.
const examples: WorkedExample[] = [
  {
    name: 'example 1: 3x3 centre pixel',
    mask: maskFromRows(['000', '010', '000']),
    counts: [4, 1, 4],
    str: '414',
    area: 1,
    bboxSam: [1, 1, 0, 0],
    bboxCoco: [1, 1, 1, 1],
  },
  {
    name: 'example 2: H=4 W=5',
    mask: maskFromRows(['10000', '00110', '00110', '00001']),
    counts: [0, 1, 8, 2, 2, 2, 4, 1],
    str: '0181J02O',
    area: 6,
    bboxSam: [0, 0, 4, 3],
    bboxCoco: [0, 0, 5, 4],
  },
  {
    name: 'example 3: H=9 W=7',
    mask: maskFromRows([...Array<string>(5).fill('1111111'), ...Array<string>(3).fill('1111101'), '1111111']),
    counts: [0, 50, 3, 10],
    str: '0b13hN',
    area: 60,
    bboxSam: [0, 0, 6, 8],
    bboxCoco: [0, 0, 7, 9],
  },
  {
    name: 'empty 4x4',
    mask: maskFromRows(['0000', '0000', '0000', '0000']),
    counts: [16],
    str: '`0',
    area: 0,
    bboxSam: [0, 0, 0, 0],
    bboxCoco: [0, 0, 0, 0],
  },
  {
    name: 'full 2x3',
    mask: maskFromRows(['111', '111']),
    counts: [0, 6],
    str: '06',
    area: 6,
    bboxSam: [0, 0, 2, 1],
    bboxCoco: [0, 0, 3, 2],
  },
  {
    name: '10x10 with a 6x6 block at rows 2-7, cols 3-8',
    mask: blockMask(10, 10, 2, 7, 3, 8),
    counts: [32, 6, 4, 6, 4, 6, 4, 6, 4, 6, 4, 6, 12],
    str: 'P1640000000008',
    area: 36,
    bboxSam: [3, 2, 5, 5],
    bboxCoco: [3, 2, 6, 6],
  },
];

describe('SAM-SPEC §4.3 worked examples', () => {
  for (const ex of examples) {
    describe(ex.name, () => {
      const size: [number, number] = [ex.mask.height, ex.mask.width];

      it('encodes to the stated counts and string', () => {
        expect(encodeMask(ex.mask)).toEqual({ size, counts: ex.counts });
        expect(rleToString(ex.counts)).toBe(ex.str);
        expect(compressRle({ size, counts: ex.counts })).toEqual({ size, counts: ex.str });
      });

      it('decodes the string back to the counts and the mask', () => {
        expect(rleFromString(ex.str)).toEqual(ex.counts);
        expect(decompressRle({ size, counts: ex.str })).toEqual({ size, counts: ex.counts });
        expect(decodeRle({ size, counts: ex.str })).toEqual(ex.mask);
        expect(decodeRle({ size, counts: ex.counts })).toEqual(ex.mask);
      });

      it('has the stated area and both bboxes, from either form', () => {
        for (const rle of [
          { size, counts: ex.counts },
          { size, counts: ex.str },
        ]) {
          expect(rleArea(rle)).toBe(ex.area);
          expect(rleToBboxSam(rle)).toEqual(ex.bboxSam);
          expect(rleToBboxCoco(rle)).toEqual(ex.bboxCoco);
        }
      });
    });
  }

  it('spells out the §4.3 group arithmetic: −6 → "J", −1 → "O", 50 → "b1", −40 → "hN"', () => {
    // counts chosen so that index 3 is the delta under test (index 3 minus index 1)
    expect(rleToString([0, 7, 0, 1])).toBe('070J');
    expect(rleToString([0, 2, 0, 1])).toBe('020O');
    expect(rleToString([50])).toBe('b1');
    expect(rleToString([0, 50, 0, 10])).toBe('0b10hN');
  });

  it('handles counts whose deltas need more than 32 bits of shifting (JS shift pitfall, §4.2)', () => {
    const big = [0, 2 ** 31 - 1, 0, 0];
    const str = rleToString(big);
    expect(rleFromString(str)).toEqual(big);
    const alternating = [2 ** 30, 1, 2 ** 30 + 7, 5, 3, 2 ** 29];
    expect(rleFromString(rleToString(alternating))).toEqual(alternating);
  });
});
