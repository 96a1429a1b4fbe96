// Pixel-by-pixel reference implementations, the yardstick for tests and benchmarks of the
// run-based code (pure: usable from any test, isomorphic or not).
import type { BboxXywh, BinaryMask } from '../rle/rle.types';

/** Dense reference: column-major runs starting with zeros, computed pixel by pixel. */
export function denseCounts(mask: BinaryMask): number[] {
  const counts: number[] = [];
  let prev = 0;
  let run = 0;
  for (let x = 0; x < mask.width; x++) {
    for (let y = 0; y < mask.height; y++) {
      const v = mask.data[y * mask.width + x]!;
      if (v !== prev) {
        counts.push(run);
        run = 0;
        prev = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

export function denseArea(mask: BinaryMask): number {
  let a = 0;
  for (const v of mask.data) a += v;
  return a;
}

export function denseBboxSam(mask: BinaryMask): BboxXywh {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] === 1) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0, y1 - y0];
}
