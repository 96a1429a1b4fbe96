/**
 * @dataengine/synth — deterministic synthetic scenes with exact instance masks (isomorphic).
 * Node-only file writers live in `@dataengine/synth/node`.
 */
export { createRng, deriveSeed, type Rng } from './prng';
export { ALL_SHAPE_FAMILIES, SHAPE_FAMILIES, type PrimitiveKind, type ShapeFamily } from './geometry/shape-families';
export { TEXTURE_KINDS, type TextureKind } from './paint/texture';
export {
  HIERARCHY_TEMPLATES,
  SCENE_VARIANTS,
  type HierarchyTemplate,
  type Instance,
  type InstanceLevel,
  type ResolvedSceneOptions,
  type Scene,
  type SceneOptions,
  type SceneVariant,
} from './scene/scene.types';
export { SCENE_DEFAULTS, STUDIO_SCENE_DEFAULTS, resolveSceneOptions } from './scene/scene-options';
export { generateScene } from './scene/generate-scene';
export type { Sa1bAnnotation, Sa1bImageInfo, Sa1bRecord, SceneTree, SceneTreeNode } from './sa1b/sa1b.types';
export {
  sceneToSa1bRecord,
  sceneToSceneTree,
  type Sa1bIdOptions,
  type Sa1bRecordOptions,
} from './sa1b/scene-to-sa1b-record';
export { interiorPoint } from './sa1b/interior-point';
export { splitImageIds, type ImageSplit } from './sa1b/split-image-ids';
export { SYNTH_GENERATOR_NAME, SYNTH_GENERATOR_VERSION } from './version';
