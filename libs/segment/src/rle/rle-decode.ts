import { toUncompressedRle } from './rle-validate';
import type { BinaryMask, Rle } from './rle.types';

/**
 * RLE (either form) → row-major mask, without a transpose.
 *
 * Row 0 is filled straight from the runs covering each column's first position. Every other run
 * boundary at (x, y ≥ 1) means "pixel (x, y) differs from (x, y − 1)", so after bucketing the
 * boundaries by row, row y is row y − 1 copied (memmove) with those pixels flipped.
 * Zero-length runs produce two boundaries at one position, which cancel, as in pycocotools.
 */
export function decodeRle(rle: Rle): BinaryMask {
  const {
    size: [h, w],
    counts,
  } = toUncompressedRle(rle);
  const n = h * w;
  const out = new Uint8Array(n);
  if (n === 0) return { height: h, width: w, data: out };

  const m = counts.length;
  const rowStart = new Int32Array(h + 1);
  let pos = 0;
  let value = 0;
  let row0HasOnes = false;
  for (let j = 0; j < m; j++) {
    const len = counts[j]!;
    if (j > 0 && pos < n) {
      const y = pos % h;
      if (y !== 0) rowStart[y + 1]!++;
    }
    const end = pos + len;
    // Row 0: columns whose first position x*h lies in [pos, end) take this run's value.
    if (value === 1 && len > 0) {
      const c0 = Math.ceil(pos / h);
      const c1 = Math.ceil(end / h);
      if (c1 > c0) {
        out.fill(1, c0, c1);
        row0HasOnes = true;
      }
    }
    pos = end;
    value ^= 1;
  }
  for (let y = 0; y < h; y++) rowStart[y + 1]! += rowStart[y]!;

  const xs = new Int32Array(rowStart[h]!);
  const cursor = rowStart.slice(0, h);
  pos = 0;
  for (let j = 0; j < m; j++) {
    if (j > 0 && pos < n) {
      const y = pos % h;
      if (y !== 0) xs[cursor[y]!++] = (pos - y) / h;
    }
    pos += counts[j]!;
  }

  // `out` starts zeroed, so while the previous row is known to be empty nothing needs copying.
  let prevRowEmpty = !row0HasOnes;
  for (let y = 1; y < h; y++) {
    const row = y * w;
    const k0 = rowStart[y]!;
    const k1 = rowStart[y + 1]!;
    if (!prevRowEmpty) out.copyWithin(row, row - w, row);
    for (let k = k0; k < k1; k++) out[row + xs[k]!]! ^= 1;
    // Conservative: a row with toggles counts as non-empty even if they cancel out.
    prevRowEmpty = prevRowEmpty && k0 === k1;
  }
  return { height: h, width: w, data: out };
}
