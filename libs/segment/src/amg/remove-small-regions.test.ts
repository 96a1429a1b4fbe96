import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask } from '../rle/index';
import { maskFromRows, randomMask, seededRandom } from '../rle/rle.test-helpers';
import type { BinaryMask } from '../rle/rle.types';
import { removeSmallRegions } from './remove-small-regions';

/** Dense reference of upstream remove_small_regions: 8-connected labels in raster order (as OpenCV). */
function denseRemove(mask: BinaryMask, thresh: number, mode: 'holes' | 'islands'): { data: Uint8Array; changed: boolean } {
  const { width: w, height: h } = mask;
  const target = mode === 'holes' ? 0 : 1;
  const label = new Int32Array(w * h).fill(-1);
  const sizes: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (mask.data[i] !== target || label[i] !== -1) continue;
    const id = sizes.length;
    const stack = [i];
    label[i] = id;
    let size = 0;
    while (stack.length > 0) {
      const p = stack.pop()!;
      size++;
      const px = p % w;
      const py = (p - px) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          const y = py + dy;
          if (x < 0 || y < 0 || x >= w || y >= h) continue;
          const q = y * w + x;
          if (mask.data[q] === target && label[q] === -1) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    sizes.push(size);
  }
  const small = sizes.map((s) => s < thresh);
  if (!small.some(Boolean)) return { data: mask.data.slice(), changed: false };
  let keep = small.map((s) => !s);
  if (mode === 'islands' && !keep.some(Boolean)) {
    const best = sizes.indexOf(Math.max(...sizes));
    keep = sizes.map((_, i) => i === best);
  }
  const data = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const l = label[i]!;
    data[i] = mode === 'holes' ? (mask.data[i] === 1 || small[l] ? 1 : 0) : mask.data[i] === 1 && keep[l] ? 1 : 0;
  }
  return { data, changed: true };
}

describe('removeSmallRegions on RLE (SAM-SPEC §3.2 post-processing)', () => {
  it('matches a dense 8-connected reference on 300 random masks', () => {
    const rand = seededRandom(5);
    const patterns = ['noise', 'blobs', 'stripes', 'empty', 'full'] as const;
    for (let t = 0; t < 300; t++) {
      const mask = randomMask(rand, 1 + Math.floor(rand() * 30), 1 + Math.floor(rand() * 30), patterns[t % 5]!);
      const thresh = 1 + Math.floor(rand() * 40);
      for (const mode of ['holes', 'islands'] as const) {
        const got = removeSmallRegions(encodeMask(mask), thresh, mode);
        const want = denseRemove(mask, thresh, mode);
        expect(got.changed).toBe(want.changed);
        expect(decodeRle(got.rle).data).toEqual(want.data);
        expect(got.rle).toEqual(encodeMask({ ...mask, data: want.data }));
      }
    }
  });

  it('fills holes, drops islands, uses 8-connectivity and keeps the largest when all are small', () => {
    const m = maskFromRows(['0000000', '0111000', '0101000', '0111000', '0000010', '0000001']);
    const holes = removeSmallRegions(encodeMask(m), 2, 'holes');
    expect(decodeRle(holes.rle).data[2 * 7 + 2]).toBe(1);
    expect(holes.changed).toBe(true);
    // the diagonal pair (5,4)-(6,5) is one 8-connected island of 2 px
    const islands = removeSmallRegions(encodeMask(m), 3, 'islands');
    expect(decodeRle(islands.rle)).toEqual(maskFromRows(['0000000', '0111000', '0101000', '0111000', '0000000', '0000000']));
    const allSmall = removeSmallRegions(encodeMask(m), 100, 'islands');
    expect(allSmall.changed).toBe(true);
    expect(decodeRle(allSmall.rle)).toEqual(maskFromRows(['0000000', '0111000', '0101000', '0111000', '0000000', '0000000']));
    // ties: first component in raster order wins
    const tie = removeSmallRegions(encodeMask(maskFromRows(['0001', '0000', '1000'])), 5, 'islands');
    expect(decodeRle(tie.rle)).toEqual(maskFromRows(['0001', '0000', '0000']));
    // the outer background is a component too: filled when smaller than the threshold
    const nearlyFull = removeSmallRegions(encodeMask(maskFromRows(['110', '111'])), 2, 'holes');
    expect(decodeRle(nearlyFull.rle)).toEqual(maskFromRows(['111', '111']));
    expect(removeSmallRegions(encodeMask(maskFromRows(['000', '000'])), 100, 'islands').changed).toBe(false);
  });
});
