import { RleError } from '../rle/rle-error';
import { toUncompressedRle } from '../rle/rle-validate';
import type { Rle, UncompressedRle } from '../rle/rle.types';

/**
 * Pastes a crop-sized mask, given as RLE, into an all-zero `height × width` canvas with its top-left
 * corner at `(x0, y0)` — AMG's `uncrop_masks` followed by RLE encoding (SAM-SPEC.md §3.2 step 3h)
 * without ever allocating the full-size canvas. Work is O(runs + crop width).
 */
export function rlePaste(crop: Rle, x0: number, y0: number, height: number, width: number): UncompressedRle {
  const {
    size: [hc, wc],
    counts,
  } = toUncompressedRle(crop);
  if (!Number.isInteger(x0) || !Number.isInteger(y0) || x0 < 0 || y0 < 0 || x0 + wc > width || y0 + hc > height) {
    throw new RleError(`rlePaste: a ${hc}x${wc} crop at (${x0}, ${y0}) does not fit in ${height}x${width}`);
  }
  const out: number[] = [];
  let lastEnd = 0; // end (exclusive, full-canvas column-major index) of the last emitted foreground run
  let open = -1; // start of the foreground run being extended, or −1
  let emitted = 0; // sum of the counts pushed so far
  let pos = 0;
  for (let j = 0; j < counts.length; j++) {
    const len = counts[j]!;
    if ((j & 1) === 1 && len > 0) {
      // split the crop run at crop-column boundaries; each piece maps to one full-canvas column
      let p = pos;
      const end = pos + len;
      while (p < end) {
        const cx = (p / hc) | 0;
        const cy = p - cx * hc;
        const pieceEnd = Math.min(end, (cx + 1) * hc);
        const start = (x0 + cx) * height + y0 + cy;
        const stop = start + (pieceEnd - p);
        if (open >= 0 && start === lastEnd) {
          lastEnd = stop; // contiguous across a column boundary (crop spans the full height)
        } else {
          if (open >= 0) emitted = emit(out, emitted, open, lastEnd);
          open = start;
          lastEnd = stop;
        }
        p = pieceEnd;
      }
    }
    pos += len;
  }
  if (open >= 0) emitted = emit(out, emitted, open, lastEnd);
  // like pycocotools, no trailing zero-length run (an empty canvas is `[height·width]`)
  if (emitted < height * width || out.length === 0) out.push(height * width - emitted);
  return { size: [height, width], counts: out };
}

/** Pushes the zero gap and the foreground run `[start, stop)`; returns the new emitted length. */
function emit(out: number[], emitted: number, start: number, stop: number): number {
  out.push(start - emitted, stop - start);
  return stop;
}
