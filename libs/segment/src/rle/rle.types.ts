/**
 * Run-length encodings in the COCO / SAM convention (SAM-SPEC.md §4).
 *
 * `size` is always `[height, width]`. Runs are taken over the mask flattened in
 * COLUMN-MAJOR order (index `x * height + y`) and alternate 0/1 starting with a run of zeros.
 */
export type RleSize = [height: number, width: number];

/** `counts` are run lengths (SAM-SPEC.md §4.1); `sum(counts) === height * width`. */
export interface UncompressedRle {
  size: RleSize;
  counts: number[];
}

/** `counts` is the COCO compressed string (SAM-SPEC.md §4.2), as stored in SA-1B JSON. */
export interface CompressedRle {
  size: RleSize;
  counts: string;
}

export type Rle = UncompressedRle | CompressedRle;

/**
 * A binary mask in ROW-MAJOR (canvas / image) order: `data[y * width + x]` is 0 or 1.
 * Values other than 0 and 1 are not allowed (encoders compare bytes, not truthiness).
 */
export interface BinaryMask {
  height: number;
  width: number;
  data: Uint8Array;
}

/** `[x, y, w, h]` box in pixels. */
export type BboxXywh = [x: number, y: number, w: number, h: number];
