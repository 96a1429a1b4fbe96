import type { BboxXywh, CompressedRle } from '../rle/rle.types';

/** One SA-1B annotation, keys in the order of SAM-SPEC.md §5.1. */
export interface Sa1bAnnotation {
  id: number;
  segmentation: CompressedRle;
  /** SAM convention [x, y, w, h] with w = x_max − x_min (SAM-SPEC.md §3.4). */
  bbox: BboxXywh;
  area: number;
  predicted_iou: number;
  stability_score: number;
  /** [x, y, w, h] of the crop the mask came from (the whole image for interactive prompts). */
  crop_box: BboxXywh;
  /** Prompt points [[x, y], …] in original-image pixels; AMG and SA-1B store the one grid point. */
  point_coords: [number, number][];
}

export interface Sa1bImageInfo {
  image_id: number;
  width: number;
  height: number;
  file_name: string;
}

/** The per-image SA-1B JSON object (`sa_<image_id>.json`, SAM-SPEC.md §5.1). */
export interface Sa1bImageJson {
  image: Sa1bImageInfo;
  annotations: Sa1bAnnotation[];
}
