import { assertBinaryMask } from './rle-validate';
import type { BinaryMask, UncompressedRle } from './rle.types';

/**
 * Row-major mask → column-major RLE (SAM-SPEC.md §4.1) without materialising a transpose.
 *
 * In column-major order pixel (x, y) follows (x, y − 1) for y ≥ 1, so run boundaries inside a
 * column are exactly the VERTICAL transitions of the row-major mask: `data[i] !== data[i − w]`.
 * Those are found by comparing the buffer with itself shifted by one row, 32 bytes per step.
 * The boundaries at column starts compare (x, 0) with (x − 1, h − 1). A counting sort by column
 * then yields the boundary positions in column-major order.
 */

const BLOCK_BYTES = 32;

export function encodeMask(mask: BinaryMask): UncompressedRle {
  assertBinaryMask(mask);
  const h = mask.height;
  const w = mask.width;
  const n = h * w;
  if (n === 0) return { size: [h, w], counts: [0] };

  const { items: transitions, count: nt } = findVerticalTransitions(mask.data, w, n);

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

/** Growable list of row-major transition indices (ascending). */
class TransitionList {
  items = new Int32Array(1024);
  count = 0;

  push(i: number): void {
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.count++] = i;
  }
}

/** Row-major indices i ≥ w (ascending) where data[i] !== data[i − w]. */
function findVerticalTransitions(data: Uint8Array, w: number, n: number): TransitionList {
  const list = new TransitionList();
  // Each scanner is its own small function so TurboFan inlines all of its DataView loads.
  const b = (data.byteOffset & 7) === 0 ? scanAligned(data, w, n, list) : scanUnaligned(data, w, n, list);
  for (let i = b; i < n; i++) if (data[i] !== data[i - w]) list.push(i);
  return list;
}

/**
 * 32 bytes per step: aligned float64 loads of this row against unaligned float64 loads of the
 * row above. For bytes in {0, 1} a float64 compare is a bit compare (no NaN or −0 patterns can
 * arise); blocks that compare unequal are re-checked byte by byte, so NaNs from out-of-contract
 * bytes only cost time. Returns the first index not yet scanned.
 */
function scanAligned(data: Uint8Array, w: number, n: number, list: TransitionList): number {
  const words = new Float64Array(data.buffer, data.byteOffset, n >>> 3);
  const above = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const kStart = (w + 7) >>> 3;
  const kEnd = n >>> 3;
  let b = w;
  for (const e = Math.min(kStart * 8, n); b < e; b++) if (data[b] !== data[b - w]) list.push(b);
  let k = kStart;
  for (; k + 4 <= kEnd; k += 4) {
    const a = 8 * k - w;
    if (
      words[k] !== above.getFloat64(a, true) ||
      words[k + 1] !== above.getFloat64(a + 8, true) ||
      words[k + 2] !== above.getFloat64(a + 16, true) ||
      words[k + 3] !== above.getFloat64(a + 24, true)
    ) {
      for (let i = 8 * k, e = i + BLOCK_BYTES; i < e; i++) if (data[i] !== data[i - w]) list.push(i);
    }
  }
  return Math.max(b, 8 * k);
}

/** Any alignment, 32 bytes per step: unaligned int32 loads of both rows, XORed and ORed (exact). */
function scanUnaligned(data: Uint8Array, w: number, n: number, list: TransitionList): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let b = w;
  for (; b + BLOCK_BYTES <= n; b += BLOCK_BYTES) {
    const a = b - w;
    const diff =
      (view.getInt32(b, true) ^ view.getInt32(a, true)) |
      (view.getInt32(b + 4, true) ^ view.getInt32(a + 4, true)) |
      (view.getInt32(b + 8, true) ^ view.getInt32(a + 8, true)) |
      (view.getInt32(b + 12, true) ^ view.getInt32(a + 12, true)) |
      (view.getInt32(b + 16, true) ^ view.getInt32(a + 16, true)) |
      (view.getInt32(b + 20, true) ^ view.getInt32(a + 20, true)) |
      (view.getInt32(b + 24, true) ^ view.getInt32(a + 24, true)) |
      (view.getInt32(b + 28, true) ^ view.getInt32(a + 28, true));
    if (diff !== 0) {
      for (let i = b, e = b + BLOCK_BYTES; i < e; i++) if (data[i] !== data[i - w]) list.push(i);
    }
  }
  return b;
}
