import { encodeMask } from '../rle/rle-encode';
import { rleToBboxSam } from '../rle/rle-measure';
import { compressRle } from '../rle/rle-validate';
import type { BboxXywh, CompressedRle } from '../rle/rle.types';
import type { Sa1bAnnotation } from '../sa1b/sa1b.types';
import type { PredictedMask } from './sam-predictor';

/** One SA-1B-style annotation (SAM-SPEC.md §3.5 / §5.1) for an interactively predicted mask. */
export type MaskAnnotation = Sa1bAnnotation;

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
