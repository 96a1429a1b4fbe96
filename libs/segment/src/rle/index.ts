export type { BboxXywh, BinaryMask, CompressedRle, Rle, RleSize, UncompressedRle } from './rle.types';
export { RleError } from './rle-error';
export { rleFromString, rleToString } from './rle-string';
export {
  MAX_RLE_PIXELS,
  assertBinaryMask,
  assertRleSize,
  compressRle,
  decompressRle,
  parseCompressedRle,
  parseUncompressedRle,
  toUncompressedRle,
} from './rle-validate';
export { encodeMask } from './rle-encode';
export { decodeRle } from './rle-decode';
export { rleArea, rleExtent, rleToBboxSam, rleToBboxCoco } from './rle-measure';
export { canonicalRunCounts, maxCanonicalRuns, maxCompressedRleLength } from './rle-canonical';
