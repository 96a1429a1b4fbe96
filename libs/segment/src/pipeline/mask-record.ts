import { encodeMask } from '../rle/rle-encode';
import { rleToBboxSam } from '../rle/rle-measure';
import { compressRle } from '../rle/rle-validate';
import type { BboxXywh, CompressedRle } from '../rle/rle.types';
import type { PredictedMask } from './sam-predictor';

/** One SA-1B-style annotation (SAM-SPEC.md §3.5 / §5.1) for an interactively predicted mask. */
export interface MaskAnnotation {
  id: number;
  segmentation: CompressedRle;
  /** SAM convention `[x, y, x_max − x_min, y_max − y_min]` (§3.4). */
  bbox: BboxXywh;
  area: number;
  predicted_iou: number;
  stability_score: number;
  /** The prompt's clicks in original pixels (SA-1B stores the one grid point there). */
  point_coords: [number, number][];
  /** `[x, y, w, h]` of the crop the mask came from: the whole image for interactive prompts. */
  crop_box: BboxXywh;
}

export function maskAnnotation(id: number, mask: PredictedMask, pointCoords: [number, number][], cropBox?: BboxXywh): MaskAnnotation {
  const rle = encodeMask(mask.mask);
  return {
    id,
    segmentation: compressRle(rle),
    bbox: rleToBboxSam(rle),
    area: mask.area,
    predicted_iou: mask.predictedIou,
    stability_score: Math.fround(mask.stabilityScore), // a float32 value, as SAM computes and SA-1B stores it
    point_coords: pointCoords,
    crop_box: cropBox ?? [0, 0, mask.mask.width, mask.mask.height],
  };
}
