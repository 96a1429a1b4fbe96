import type { BboxXywh, BinaryMask } from '@dataengine/segment';
import type { ShapeFamily } from '../geometry/shape-families';
import type { TextureKind } from '../paint/texture';

export type InstanceLevel = 'whole' | 'part' | 'subpart';

export interface Instance {
  /** 1-based, in draw order (each whole followed by its parts and their sub-parts). */
  id: number;
  /** Shape kind ('star', 'donut', ...) or template role ('vehicle', 'wheel', 'hub', ...). */
  kind: string;
  /** Id of the nearest kept ancestor instance; null for wholes. */
  parentId: number | null;
  level: InstanceLevel;
  /** Visible pixels only (after occlusion); for parents the union with their descendants. */
  mask: BinaryMask;
  /** SAM convention [x0, y0, x1 − x0, y1 − y0] with inclusive extents (SAM-SPEC.md §3.4). */
  bbox: BboxXywh;
  /** Number of mask pixels. */
  area: number;
}

export interface Scene {
  width: number;
  height: number;
  /** Row-major RGB, length width × height × 3. */
  rgb: Uint8Array;
  instances: Instance[];
}

/** Composite objects with part / sub-part hierarchies (option `templates`). */
export const HIERARCHY_TEMPLATES = ['creature', 'vehicle', 'house', 'target'] as const;
export type HierarchyTemplate = (typeof HIERARCHY_TEMPLATES)[number];

export interface SceneOptions {
  seed: number;
  width: number;
  height: number;
  /** Inclusive range of top-level objects drawn (before occlusion filtering). */
  objectCount?: [min: number, max: number];
  /** Shape families for plain objects. */
  families?: ShapeFamily[];
  /** Whether composite objects with parts / sub-parts are drawn. */
  hierarchies?: boolean;
  /** Probability that a top-level object is a composite (when hierarchies are on). */
  hierarchyProbability?: number;
  templates?: HierarchyTemplate[];
  textures?: TextureKind[];
  /** Object size range as fractions of min(width, height). */
  sizeRange?: [min: number, max: number];
  /** Per-channel uniform pixel noise amplitude in 0–255 levels (0 disables). */
  pixelNoise?: number;
  /** Low-contrast texture on the background gradient. */
  backgroundTexture?: boolean;
  /** Instances whose visible area falls below this many pixels are dropped. */
  minArea?: number;
}

export type ResolvedSceneOptions = Required<SceneOptions>;
