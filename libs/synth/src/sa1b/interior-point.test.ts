import { encodeMask, rleToBboxSam } from '@dataengine/segment';
import { describe, expect, it } from 'vitest';
import { interiorPoint } from './interior-point';

function mask(rows: string[]): { height: number; width: number; data: Uint8Array } {
  const width = rows[0]!.length;
  const data = new Uint8Array(rows.length * width);
  rows.forEach((r, y) => [...r].forEach((c, x) => (data[y * width + x] = c === '1' ? 1 : 0)));
  return { height: rows.length, width, data };
}

describe('interiorPoint', () => {
  it('picks the centre of a square and a pixel inside an L shape', () => {
    const square = mask(['0000000', '0111110', '0111110', '0111110', '0111110', '0111110', '0000000']);
    expect(interiorPoint(square, rleToBboxSam(encodeMask(square)))).toEqual([3, 3]);
    const l = mask(['11000000', '11000000', '11000000', '11111111', '11111111']);
    const [x, y] = interiorPoint(l, rleToBboxSam(encodeMask(l)))!;
    expect(l.data[y * 8 + x]).toBe(1);
  });

  it('handles single pixels and returns null for empty masks', () => {
    const one = mask(['000', '001', '000']);
    expect(interiorPoint(one, [2, 1, 0, 0])).toEqual([2, 1]);
    expect(interiorPoint(mask(['000']), [0, 0, 0, 0])).toBeNull();
  });
});
