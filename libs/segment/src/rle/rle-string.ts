import { RleError } from './rle-error';

/**
 * COCO compressed-RLE strings, bit-exact with pycocotools `rleToString` / `rleFrString`
 * (SAM-SPEC.md §4.2): values are written as little-endian 5-bit groups (char = group + 48),
 * bit 0x20 means "more groups follow", bit 0x10 of the last group is the sign; from index 3 on
 * the value written is the delta to the count two places back.
 */

const CHAR_OFFSET = 48; // '0'
const MAX_CHAR_CODE = CHAR_OFFSET + 63; // 'o'
/** 7 groups hold 35 bits: enough for any count or delta below 2^31 (we cap images at 2^31 − 1 pixels). */
const MAX_GROUPS = 7;
const FROM_CHAR_CODE_CHUNK = 8192;

/** Encodes run lengths as a COCO compressed string. Counts must be integers in [0, 2^31). */
export function rleToString(counts: readonly number[]): string {
  const m = counts.length;
  const codes = new Uint8Array(m * MAX_GROUPS);
  let p = 0;
  for (let i = 0; i < m; i++) {
    const c = counts[i]!;
    if (!Number.isInteger(c) || c < 0 || c > 0x7fffffff) {
      throw new RleError(`RLE count at index ${i} is ${c}; counts must be integers in [0, 2^31)`);
    }
    // Deltas of two values in [0, 2^31) fit in int32, so 32-bit shifts are exact here.
    let x = i > 2 ? c - counts[i - 2]! : c;
    let more = true;
    while (more) {
      let g = x & 0x1f;
      x >>= 5;
      more = (g & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) g |= 0x20;
      codes[p++] = g + CHAR_OFFSET;
    }
  }
  return bytesToAscii(codes, p);
}

/**
 * Decodes a COCO compressed string to run lengths. Throws `RleError` on characters outside
 * '0'..'o', on a string that ends inside a continuation group, on over-long values, and on
 * negative runs. (Whether the counts match a size is checked by `decompressRle`.)
 */
export function rleFromString(str: string): number[] {
  const len = str.length;
  const counts: number[] = new Array<number>(len);
  let m = 0;
  let p = 0;
  while (p < len) {
    const start = p;
    let x = 0;
    let k = 0;
    let scale = 1; // 2^(5k), built by multiplication: JS shifts are 32-bit (SAM-SPEC.md §4.2)
    let more = true;
    let g = 0;
    while (more) {
      if (p >= len) {
        throw new RleError(
          `RLE string is truncated: value ${m} starting at offset ${start} ends inside a continuation group`,
        );
      }
      const code = str.charCodeAt(p);
      if (code < CHAR_OFFSET || code > MAX_CHAR_CODE) {
        throw new RleError(
          `RLE string has invalid character ${JSON.stringify(str[p])} at offset ${p}; allowed are '0'..'o' (char codes 48..111)`,
        );
      }
      if (k === MAX_GROUPS) {
        throw new RleError(`RLE string value ${m} at offset ${start} is longer than ${MAX_GROUPS} groups`);
      }
      g = code - CHAR_OFFSET;
      x += (g & 0x1f) * scale;
      scale *= 32;
      more = (g & 0x20) !== 0;
      p++;
      k++;
    }
    if ((g & 0x10) !== 0) x -= scale; // sign-extend arithmetically
    if (m > 2) x += counts[m - 2]!;
    if (x < 0) throw new RleError(`RLE string decodes to a negative run (${x}) at index ${m}`);
    counts[m++] = x;
  }
  counts.length = m;
  return counts;
}

function bytesToAscii(codes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += FROM_CHAR_CODE_CHUNK) {
    const end = Math.min(length, i + FROM_CHAR_CODE_CHUNK);
    out += String.fromCharCode.apply(null, codes.subarray(i, end) as unknown as number[]);
  }
  return out;
}
