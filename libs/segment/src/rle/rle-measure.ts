import { toUncompressedRle } from './rle-validate';
import type { BboxXywh, Rle } from './rle.types';

/** Foreground pixel count: the sum of the odd-indexed runs (SAM-SPEC.md §3.5). */
export function rleArea(rle: Rle): number {
  const { counts } = toUncompressedRle(rle);
  let area = 0;
  for (let j = 1; j < counts.length; j += 2) area += counts[j]!;
  return area;
}

/** Inclusive pixel extent `[x0, y0, x1, y1]` computed from the runs, or null when empty. */
export function rleExtent(rle: Rle): [x0: number, y0: number, x1: number, y1: number] | null {
  const {
    size: [h],
    counts,
  } = toUncompressedRle(rle);
  let x0 = Infinity;
  let x1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  let pos = 0;
  for (let j = 0; j < counts.length; j++) {
    const len = counts[j]!;
    if ((j & 1) === 1 && len > 0) {
      const last = pos + len - 1;
      const xs = Math.floor(pos / h);
      const xe = Math.floor(last / h);
      if (xs < x0) x0 = xs;
      x1 = xe; // runs are in column-major order, so the last run has the largest column
      if (xe > xs) {
        // the run wraps from the bottom of column xs to the top of column xe
        y0 = 0;
        y1 = h - 1;
      } else {
        const ys = pos - xs * h;
        const ye = last - xe * h;
        if (ys < y0) y0 = ys;
        if (ye > y1) y1 = ye;
      }
    }
    pos += len;
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/**
 * SAM / SA-1B box `[x0, y0, x1 − x0, y1 − y0]` with inclusive max − min (SAM-SPEC.md §3.4);
 * one less than COCO's width/height. Empty → `[0, 0, 0, 0]`.
 */
export function rleToBboxSam(rle: Rle): BboxXywh {
  const e = rleExtent(rle);
  return e === null ? [0, 0, 0, 0] : [e[0], e[1], e[2] - e[0], e[3] - e[1]];
}

/** pycocotools `toBbox` box `[x0, y0, x1 − x0 + 1, y1 − y0 + 1]`. Empty → `[0, 0, 0, 0]`. */
export function rleToBboxCoco(rle: Rle): BboxXywh {
  const e = rleExtent(rle);
  return e === null ? [0, 0, 0, 0] : [e[0], e[1], e[2] - e[0] + 1, e[3] - e[1] + 1];
}
