import { assertBinaryMask } from './rle-validate';
import type { BinaryMask, UncompressedRle } from './rle.types';

/**
 * Row-major mask → column-major RLE (SAM-SPEC.md §4.1) without materialising a transpose.
 *
 * In column-major order pixel (x, y) follows (x, y − 1) for y ≥ 1, so run boundaries inside a
 * column are exactly the VERTICAL transitions of the row-major mask: `data[i] !== data[i − w]`.
 * Those are found by comparing the buffer with itself shifted by one row, four bytes at a time
 * (uniform regions cost one word compare per 4 pixels). The boundaries at column starts compare
 * (x, 0) with (x − 1, h − 1). A counting sort by column then yields sorted boundary positions.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const MIN_WORD_SCAN_BYTES = 64;

export function encodeMask(mask: BinaryMask): UncompressedRle {
  assertBinaryMask(mask);
  const h = mask.height;
  const w = mask.width;
  const n = h * w;
  if (n === 0) return { size: [h, w], counts: [0] };

  const { transitions, count: nt } = findVerticalTransitions(mask.data, w, n);

  // Per column: a boundary at its first pixel (flag) plus its vertical transitions.
  const data = mask.data;
  const colStart = new Int32Array(w + 1);
  const startFlag = new Uint8Array(w);
  if (data[0] === 1) startFlag[0] = 1;
  const lastRow = (h - 1) * w;
  for (let x = 1; x < w; x++) if (data[x] !== data[lastRow + x - 1]) startFlag[x] = 1;
  for (let t = 0; t < nt; t++) colStart[(transitions[t]! % w) + 1]!++;
  for (let x = 0; x < w; x++) colStart[x + 1]! += colStart[x]! + startFlag[x]!;

  const total = colStart[w]!;
  const positions = new Int32Array(total);
  const cursor = colStart; // reused as a write cursor; shifts each entry to the next column's start
  for (let x = 0; x < w; x++) if (startFlag[x] === 1) positions[cursor[x]!++] = x * h;
  for (let t = 0; t < nt; t++) {
    const i = transitions[t]!;
    const y = (i / w) | 0;
    const x = i - y * w;
    positions[cursor[x]!++] = x * h + y;
  }

  const counts = new Array<number>(total + 1);
  let prev = 0;
  for (let k = 0; k < total; k++) {
    const p = positions[k]!;
    counts[k] = p - prev;
    prev = p;
  }
  counts[total] = n - prev;
  return { size: [h, w], counts };
}

/** Row-major indices i ≥ w (ascending) where data[i] !== data[i − w]. */
function findVerticalTransitions(
  input: Uint8Array,
  w: number,
  n: number,
): { transitions: Int32Array; count: number } {
  let out = new Int32Array(1024);
  let count = 0;
  const push = (i: number): void => {
    if (count === out.length) {
      const grown = new Int32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[count++] = i;
  };

  let i = w;
  if (LITTLE_ENDIAN && n - w >= MIN_WORD_SCAN_BYTES) {
    const d = (input.byteOffset & 3) === 0 ? input : input.slice();
    const words = new Uint32Array(d.buffer, d.byteOffset, n >>> 2);
    const kStart = Math.ceil(w / 4); // first word with 4k >= w
    const kEnd = n >>> 2;
    const byteStart = kStart * 4;
    for (; i < byteStart; i++) if (d[i] !== d[i - w]) push(i);
    const q = w >>> 2;
    const r = w & 3;
    if (r === 0) {
      for (let k = kStart; k < kEnd; k++) {
        if (words[k] !== words[k - q]) {
          for (let b = 4 * k, e = b + 4; b < e; b++) if (d[b] !== d[b - w]) push(b);
        }
      }
    } else {
      // Bytes 4k − w .. 4k − w + 3 start at byte (4 − r) of word k − q − 1 (little-endian).
      const sr = 8 * (4 - r);
      const sl = 32 - sr;
      for (let k = kStart; k < kEnd; k++) {
        const m = k - q - 1;
        if ((words[k]! ^ ((words[m]! >>> sr) | (words[m + 1]! << sl))) !== 0) {
          for (let b = 4 * k, e = b + 4; b < e; b++) if (d[b] !== d[b - w]) push(b);
        }
      }
    }
    i = Math.max(i, kEnd * 4);
    for (; i < n; i++) if (d[i] !== d[i - w]) push(i);
    return { transitions: out, count };
  }
  for (; i < n; i++) if (input[i] !== input[i - w]) push(i);
  return { transitions: out, count };
}
