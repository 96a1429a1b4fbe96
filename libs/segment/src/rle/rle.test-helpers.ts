import type { BinaryMask } from './rle.types';

/** Builds a mask from rows of '0'/'1' characters (y = 0 first). */
export function maskFromRows(rows: readonly string[]): BinaryMask {
  const height = rows.length;
  const width = rows[0]?.length ?? 0;
  const data = new Uint8Array(height * width);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '1' ? 1 : 0;
  });
  return { height, width, data };
}

export { denseArea, denseBboxSam, denseCounts } from '../testing/dense-reference';

/** mulberry32: small seeded PRNG for the randomized suites. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type MaskPattern = 'empty' | 'full' | 'noise' | 'blobs' | 'stripes';

/** Random test mask of the given pattern. */
export function randomMask(rand: () => number, height: number, width: number, pattern: MaskPattern): BinaryMask {
  const data = new Uint8Array(height * width);
  if (pattern === 'full') data.fill(1);
  if (pattern === 'noise') {
    const p = rand();
    for (let i = 0; i < data.length; i++) data[i] = rand() < p ? 1 : 0;
  }
  if (pattern === 'blobs') {
    const blobs = 1 + Math.floor(rand() * 4);
    for (let b = 0; b < blobs; b++) {
      const cx = rand() * width;
      const cy = rand() * height;
      const rx = 0.5 + rand() * width * 0.5;
      const ry = 0.5 + rand() * height * 0.5;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const dx = (x + 0.5 - cx) / rx;
          const dy = (y + 0.5 - cy) / ry;
          if (dx * dx + dy * dy <= 1) data[y * width + x] = 1;
        }
      }
    }
  }
  if (pattern === 'stripes') {
    const vertical = rand() < 0.5;
    const period = 1 + Math.floor(rand() * 5);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[y * width + x] = Math.floor((vertical ? x : y) / period) % 2;
    }
  }
  return { height, width, data };
}

/** Fast mask equality for large masks (deep-equal on multi-megabyte typed arrays is slow). */
export function firstMaskDifference(a: BinaryMask, b: BinaryMask): string | null {
  if (a.height !== b.height || a.width !== b.width) return `shape ${a.height}x${a.width} vs ${b.height}x${b.width}`;
  if (a.data.length !== b.data.length) return `data length ${a.data.length} vs ${b.data.length}`;
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] !== b.data[i]) return `pixel (${i % a.width}, ${Math.floor(i / a.width)}): ${a.data[i]} vs ${b.data[i]}`;
  }
  return null;
}
