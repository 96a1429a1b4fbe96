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

/**
 * Scene families (option `variant`). 'classic': flat-coloured shapes with simple textures on a
 * soft gradient — the family the built-in model is trained on. 'studio': lit, photographed-looking
 * objects (cups, bottles, tools, leaves, cards …) with shading, cast shadows, blur, material
 * textures and heavy clutter — held out, to measure generalisation (libs/synth/src/studio).
 */
export const SCENE_VARIANTS = ['classic', 'studio'] as const;
export type SceneVariant = (typeof SCENE_VARIANTS)[number];

export interface SceneOptions {
  seed: number;
  width: number;
  height: number;
  /** Scene family; default 'classic' (whose output never changes for a given seed and options). */
  variant?: SceneVariant;
  /** Inclusive range of top-level objects drawn (before occlusion filtering; in 'studio' a card fan is one). */
  objectCount?: [min: number, max: number];
  /** Shape families for plain objects ('classic' only). */
  families?: ShapeFamily[];
  /** Whether composite objects with parts / sub-parts are drawn ('studio': whether parts are instances). */
  hierarchies?: boolean;
  /** Probability that a top-level object is a composite, when hierarchies are on ('classic' only). */
  hierarchyProbability?: number;
  /** 'classic' only. */
  templates?: HierarchyTemplate[];
  /** 'classic' only. */
  textures?: TextureKind[];
  /** Object size range as fractions of min(width, height). */
  sizeRange?: [min: number, max: number];
  /** Pixel noise amplitude in 0–255 levels (0 disables): uniform per channel ('classic'), film grain ('studio'). */
  pixelNoise?: number;
  /** 'classic': low-contrast texture on the background gradient; 'studio': a textured surface (wood, cloth, marble …) instead of a plain backdrop. */
  backgroundTexture?: boolean;
  /** Instances whose visible area falls below this many pixels are dropped. */
  minArea?: number;
}

export type ResolvedSceneOptions = Required<SceneOptions>;
