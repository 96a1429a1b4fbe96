import { decodeRle } from '../rle/rle-decode';
import { rleArea } from '../rle/rle-measure';
import { rleToString } from '../rle/rle-string';
import type { BboxXywh, BinaryMask, CompressedRle, UncompressedRle } from '../rle/rle.types';
import type { AmgOutputMode } from './amg-options';
import type { AmgCandidate } from './amg-process-crop';

/**
 * One `generate()` record (SAM-SPEC.md §3.5). Field names are the upstream/SA-1B wire names.
 * `segmentation` depends on `outputMode`: a row-major `BinaryMask` (`binary_mask`), `{size, counts:
 * number[]}` (`uncompressed_rle`) or `{size, counts: string}` (`coco_rle`).
 */
export interface AmgRecord<S = AmgSegmentation> {
  segmentation: S;
  /** Sum of the odd-indexed RLE counts. */
  area: number;
  /** SAM box `[x0, y0, x1 − x0, y1 − y0]` (inclusive extents, §3.4). */
  bbox: BboxXywh;
  predicted_iou: number;
  point_coords: [[x: number, y: number]];
  stability_score: number;
  /** Source crop `[x0, y0, w, h]` (true width/height of the exclusive crop box). */
  crop_box: BboxXywh;
}

export type AmgSegmentation = BinaryMask | UncompressedRle | CompressedRle;

export function candidateToRecord(c: AmgCandidate, mode: AmgOutputMode): AmgRecord {
  const [x0, y0, x1, y1] = c.box;
  const [cx0, cy0, cx1, cy1] = c.cropBox;
  return {
    segmentation: toSegmentation(c.rle, mode),
    area: rleArea(c.rle),
    bbox: [x0, y0, x1 - x0, y1 - y0],
    predicted_iou: c.predictedIou,
    point_coords: [[c.point[0], c.point[1]]],
    stability_score: c.stabilityScore,
    crop_box: [cx0, cy0, cx1 - cx0, cy1 - cy0],
  };
}

function toSegmentation(rle: UncompressedRle, mode: AmgOutputMode): AmgSegmentation {
  if (mode === 'coco_rle') return { size: [rle.size[0], rle.size[1]], counts: rleToString(rle.counts) };
  if (mode === 'uncompressed_rle') return rle;
  return decodeRle(rle);
}
