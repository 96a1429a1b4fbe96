import { compressRle, encodeMask } from '@dataengine/segment';
import type { Scene } from '../scene/scene.types';
import { interiorPoint } from './interior-point';
import type { Sa1bAnnotation, Sa1bRecord, SceneTree } from './sa1b.types';

export interface Sa1bIdOptions {
  imageId: number;
  /** Annotation id = offset + instance id (default 0), so ids can be unique across a dataset. */
  annotationIdOffset?: number;
}

export interface Sa1bRecordOptions extends Sa1bIdOptions {
  fileName: string;
}

/** Synthetic masks are exact: SA-1B's model-confidence fields are set to 1.0. */
const EXACT_SCORE = 1.0;

/**
 * The SA-1B per-image JSON object (SAM-SPEC.md §5.1) for a scene. Hierarchy information stays
 * out of the annotations (see `sceneToSceneTree`). Numbers are plain JSON numbers: SA-1B prints
 * bbox / crop_box / point_coords as floats (773.0); JSON parsers read both the same.
 */
export function sceneToSa1bRecord(scene: Scene, options: Sa1bRecordOptions): Sa1bRecord {
  const offset = options.annotationIdOffset ?? 0;
  const { width, height } = scene;
  const annotations = scene.instances.map((inst): Sa1bAnnotation => {
    const point = interiorPoint(inst.mask, inst.bbox);
    if (point === null) throw new Error(`scene instance ${inst.id} has an empty mask`);
    return {
      id: offset + inst.id,
      segmentation: compressRle(encodeMask(inst.mask)),
      bbox: [...inst.bbox],
      area: inst.area,
      predicted_iou: EXACT_SCORE,
      stability_score: EXACT_SCORE,
      crop_box: [0, 0, width, height],
      point_coords: [point],
    };
  });
  return {
    image: { image_id: options.imageId, width, height, file_name: options.fileName },
    annotations,
  };
}

/** The hierarchy sidecar for a scene, with the same annotation ids as `sceneToSa1bRecord`. */
export function sceneToSceneTree(scene: Scene, options: Sa1bIdOptions): SceneTree {
  const offset = options.annotationIdOffset ?? 0;
  return {
    image_id: options.imageId,
    annotations: scene.instances.map((inst) => ({
      id: offset + inst.id,
      parent_id: inst.parentId === null ? null : offset + inst.parentId,
      level: inst.level,
      kind: inst.kind,
    })),
  };
}
