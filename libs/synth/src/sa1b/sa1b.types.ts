import type { BboxXywh, CompressedRle } from '@dataengine/segment';
import type { InstanceLevel } from '../scene/scene.types';

/** One SA-1B annotation, keys in the order of SAM-SPEC.md §5.1. */
export interface Sa1bAnnotation {
  id: number;
  segmentation: CompressedRle;
  /** SAM convention [x, y, w, h] with w = x_max − x_min (SAM-SPEC.md §3.4). */
  bbox: BboxXywh;
  area: number;
  predicted_iou: number;
  stability_score: number;
  /** [x, y, w, h] of the crop the mask came from; the full image for synthetic data. */
  crop_box: BboxXywh;
  /** One prompt point [[x, y]] in pixel coordinates, inside the mask. */
  point_coords: [[number, number]];
}

export interface Sa1bImageInfo {
  image_id: number;
  width: number;
  height: number;
  file_name: string;
}

/** The per-image SA-1B JSON object (`sa_<image_id>.json`, SAM-SPEC.md §5.1). */
export interface Sa1bRecord {
  image: Sa1bImageInfo;
  annotations: Sa1bAnnotation[];
}

/** Sidecar (`sa_<image_id>.tree.json`) with the part hierarchy that SA-1B records do not carry. */
export interface SceneTree {
  image_id: number;
  annotations: SceneTreeNode[];
}

export interface SceneTreeNode {
  /** Annotation id, as in the SA-1B record. */
  id: number;
  /** Annotation id of the parent, null for wholes. */
  parent_id: number | null;
  level: InstanceLevel;
  kind: string;
}
