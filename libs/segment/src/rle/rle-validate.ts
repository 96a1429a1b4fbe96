import { RleError } from './rle-error';
import { rleFromString, rleToString } from './rle-string';
import type { BinaryMask, CompressedRle, Rle, RleSize, UncompressedRle } from './rle.types';

/** Largest supported pixel count (run positions are held in Int32Arrays). */
export const MAX_RLE_PIXELS = 0x7fffffff;

/** Checks `[height, width]`: two non-negative integers whose product is at most 2^31 − 1. */
export function assertRleSize(size: unknown): RleSize {
  if (!Array.isArray(size) || size.length !== 2) {
    throw new RleError(`RLE size must be [height, width], got ${describe(size)}`);
  }
  const [h, w] = size as unknown[];
  if (!isDimension(h) || !isDimension(w)) {
    throw new RleError(`RLE size must be two non-negative integers [height, width], got ${describe(size)}`);
  }
  if (h * w > MAX_RLE_PIXELS) {
    throw new RleError(`RLE size [${h},${w}] has ${h * w} pixels; at most ${MAX_RLE_PIXELS} are supported`);
  }
  return [h, w];
}

/** Checks that counts are non-negative integers summing to height × width. */
export function assertRunCounts(counts: readonly unknown[], size: RleSize): void {
  const [h, w] = size;
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (typeof c !== 'number' || !Number.isInteger(c)) {
      throw new RleError(`RLE count at index ${i} must be an integer, got ${describe(c)}`);
    }
    if (c < 0) throw new RleError(`RLE count at index ${i} is negative (${c})`);
    sum += c;
  }
  if (sum !== h * w) {
    throw new RleError(`RLE counts sum to ${sum} but size [${h},${w}] needs ${h * w}`);
  }
}

/** Validates an unknown value as `{ size: [h, w], counts: string }`, decoding the string fully. */
export function parseCompressedRle(value: unknown): CompressedRle {
  const { size, counts } = asRleObject(value);
  if (typeof counts !== 'string') {
    throw new RleError(`compressed RLE counts must be a string, got ${describe(counts)}`);
  }
  assertRunCounts(rleFromString(counts), size);
  return { size, counts };
}

/** Validates an unknown value as `{ size: [h, w], counts: number[] }`. Returns a copy. */
export function parseUncompressedRle(value: unknown): UncompressedRle {
  const { size, counts } = asRleObject(value);
  if (!Array.isArray(counts)) {
    throw new RleError(`uncompressed RLE counts must be an array of integers, got ${describe(counts)}`);
  }
  assertRunCounts(counts, size);
  return { size, counts: (counts as number[]).slice() };
}

/** Uncompressed → compressed (COCO string). Validates the counts against the size. */
export function compressRle(rle: UncompressedRle): CompressedRle {
  const size = assertRleSize(rle.size);
  assertRunCounts(rle.counts, size);
  return { size, counts: rleToString(rle.counts) };
}

/** Compressed → uncompressed. Throws `RleError` on malformed strings or a size mismatch. */
export function decompressRle(rle: CompressedRle): UncompressedRle {
  const size = assertRleSize(rle.size);
  const counts = rleFromString(rle.counts);
  assertRunCounts(counts, size);
  return { size, counts };
}

/** Either form → validated uncompressed counts (the string form is decoded). */
export function toUncompressedRle(rle: Rle): UncompressedRle {
  if (typeof rle.counts === 'string') return decompressRle(rle as CompressedRle);
  const size = assertRleSize(rle.size);
  assertRunCounts(rle.counts, size);
  return { size, counts: rle.counts };
}

/** Checks a row-major mask's shape against its data length. */
export function assertBinaryMask(mask: BinaryMask): void {
  const { height, width, data } = mask;
  if (!isDimension(height) || !isDimension(width)) {
    throw new RleError(`mask height/width must be non-negative integers, got ${describe([height, width])}`);
  }
  if (!(data instanceof Uint8Array)) throw new RleError('mask data must be a Uint8Array');
  if (data.length !== height * width) {
    throw new RleError(`mask data has ${data.length} bytes but ${height}x${width} needs ${height * width}`);
  }
  if (height * width > MAX_RLE_PIXELS) {
    throw new RleError(`mask ${height}x${width} is larger than ${MAX_RLE_PIXELS} pixels`);
  }
}

function asRleObject(value: unknown): { size: RleSize; counts: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RleError(`RLE must be an object { size, counts }, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  if (!('counts' in record)) throw new RleError('RLE object is missing "counts"');
  return { size: assertRleSize(record['size']), counts: record['counts'] };
}

function isDimension(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
