/**
 * @dataengine/synth — deterministic synthetic scenes with exact instance masks (isomorphic).
 * Node-only file writers live in `@dataengine/synth/node`.
 */
export { createRng, deriveSeed, type Rng } from './prng';
export { ALL_SHAPE_FAMILIES, SHAPE_FAMILIES, type PrimitiveKind, type ShapeFamily } from './geometry/shape-families';
export { TEXTURE_KINDS, type TextureKind } from './paint/texture';
export {
  HIERARCHY_TEMPLATES,
  type HierarchyTemplate,
  type Instance,
  type InstanceLevel,
  type ResolvedSceneOptions,
  type Scene,
  type SceneOptions,
} from './scene/scene.types';
export { SCENE_DEFAULTS, resolveSceneOptions } from './scene/scene-options';
export { generateScene } from './scene/generate-scene';
