import type { InstanceLevel } from '../scene/scene.types';

export type { Sa1bAnnotation, Sa1bImageInfo, Sa1bImageJson as Sa1bRecord } from '@dataengine/segment';

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
