import { describe, expect, it } from 'vitest';
import { encodeMask, rleToString, type CompressedRle } from '@dataengine/segment';
import { dropDuplicateMasks } from './autogen-masks';
import type { MachineMask } from './stage-masks';

const H = 20;
const W = 30;

function rect(x0: number, y0: number, x1: number, y1: number, size: [number, number] = [H, W]): CompressedRle {
  const [h, w] = size;
  const data = new Uint8Array(h * w);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * w + x] = 1;
  return { size: [h, w], counts: rleToString(encodeMask({ height: h, width: w, data }).counts) };
}

const auto = (segmentation: CompressedRle): MachineMask => ({ segmentation, predictedIou: 0.9, stabilityScore: 0.95 });

describe('dropDuplicateMasks', () => {
  it('drops a generated mask whose mask IoU with an existing one is above the threshold, and only those', () => {
    const manual = rect(0, 0, 10, 10); // 100 px
    const same = auto(rect(0, 0, 10, 10)); // IoU 1
    const close = auto(rect(0, 0, 10, 8)); // 80 / 100 = 0.8
    const atThreshold = auto(rect(0, 0, 10, 7)); // 70 / 100 = 0.7: not above
    const elsewhere = auto(rect(15, 5, 25, 15));
    const kept = dropDuplicateMasks([same, close, atThreshold, elsewhere], [manual], 0.7);
    expect(kept).toEqual([atThreshold, elsewhere]);
    expect(dropDuplicateMasks([same, elsewhere], [], 0.7)).toEqual([same, elsewhere]);
  });

  it('never matches a mask of another size', () => {
    const other = rect(0, 0, 10, 10, [40, 30]);
    const generated = auto(rect(0, 0, 10, 10));
    expect(dropDuplicateMasks([generated], [other], 0.7)).toEqual([generated]);
  });
});
