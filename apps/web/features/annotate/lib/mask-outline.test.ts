import { describe, expect, it } from 'vitest';
import { maskOutline } from './mask-outline';

describe('maskOutline', () => {
  it('keeps only the border of each region, inside the mask', () => {
    const width = 6;
    const height = 5;
    const data = new Uint8Array(width * height);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 4; x++) data[y * width + x] = 1;
    const out = maskOutline({ width, height, data });
    const rows = Array.from({ length: height }, (_, y) => Array.from(out.data.subarray(y * width, (y + 1) * width)).join(''));
    expect(rows).toEqual(['000000', '011110', '010010', '011110', '000000']);
    // two pixels thick: the 3×4 block is all border
    expect(Array.from(maskOutline({ width, height, data }, 2).data)).toEqual(Array.from(data));
  });
});
