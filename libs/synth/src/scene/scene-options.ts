import { ALL_SHAPE_FAMILIES, SHAPE_FAMILIES } from '../geometry/shape-families';
import { TEXTURE_KINDS } from '../paint/texture';
import { HIERARCHY_TEMPLATES, type ResolvedSceneOptions, type SceneOptions } from './scene.types';

/** Defaults for `generateScene`; chosen so a 512×384 scene holds ~5–25 instances. */
export const SCENE_DEFAULTS = {
  objectCount: [4, 10],
  hierarchies: true,
  hierarchyProbability: 0.3,
  sizeRange: [0.1, 0.45],
  pixelNoise: 6,
  backgroundTexture: true,
  minArea: 24,
} as const;

/** Fills defaults and checks ranges; throws a RangeError naming the bad option. */
export function resolveSceneOptions(options: SceneOptions): ResolvedSceneOptions {
  const resolved: ResolvedSceneOptions = {
    seed: options.seed,
    width: options.width,
    height: options.height,
    objectCount: options.objectCount ?? [...SCENE_DEFAULTS.objectCount],
    families: options.families ?? [...ALL_SHAPE_FAMILIES],
    hierarchies: options.hierarchies ?? SCENE_DEFAULTS.hierarchies,
    hierarchyProbability: options.hierarchyProbability ?? SCENE_DEFAULTS.hierarchyProbability,
    templates: options.templates ?? [...HIERARCHY_TEMPLATES],
    textures: options.textures ?? [...TEXTURE_KINDS],
    sizeRange: options.sizeRange ?? [...SCENE_DEFAULTS.sizeRange],
    pixelNoise: options.pixelNoise ?? SCENE_DEFAULTS.pixelNoise,
    backgroundTexture: options.backgroundTexture ?? SCENE_DEFAULTS.backgroundTexture,
    minArea: options.minArea ?? SCENE_DEFAULTS.minArea,
  };
  const { seed, width, height, objectCount, sizeRange } = resolved;
  check(Number.isInteger(seed), `seed must be an integer, got ${seed}`);
  check(Number.isInteger(width) && width >= 1 && width <= 16384, `width must be an integer in [1, 16384], got ${width}`);
  check(Number.isInteger(height) && height >= 1 && height <= 16384, `height must be an integer in [1, 16384], got ${height}`);
  check(
    Number.isInteger(objectCount[0]) && Number.isInteger(objectCount[1]) && objectCount[0] >= 0 && objectCount[1] >= objectCount[0] && objectCount[1] <= 1000,
    `objectCount must be integers [min, max] with 0 ≤ min ≤ max ≤ 1000, got ${JSON.stringify(objectCount)}`,
  );
  check(sizeRange[0] > 0 && sizeRange[1] >= sizeRange[0] && sizeRange[1] <= 4, `sizeRange must satisfy 0 < min ≤ max ≤ 4, got ${JSON.stringify(sizeRange)}`);
  for (const f of resolved.families) check(f in SHAPE_FAMILIES, `unknown shape family "${f}"; known: ${ALL_SHAPE_FAMILIES.join(', ')}`);
  for (const t of resolved.templates) check(HIERARCHY_TEMPLATES.includes(t), `unknown template "${t}"; known: ${HIERARCHY_TEMPLATES.join(', ')}`);
  for (const t of resolved.textures) check(TEXTURE_KINDS.includes(t), `unknown texture "${t}"; known: ${TEXTURE_KINDS.join(', ')}`);
  check(resolved.textures.length > 0, 'textures must not be empty');
  check(
    resolved.families.length > 0 || (resolved.hierarchies && resolved.templates.length > 0),
    'nothing to draw: families is empty and hierarchies are off (or templates is empty)',
  );
  check(resolved.hierarchyProbability >= 0 && resolved.hierarchyProbability <= 1, `hierarchyProbability must be in [0, 1], got ${resolved.hierarchyProbability}`);
  check(resolved.pixelNoise >= 0 && resolved.pixelNoise <= 128, `pixelNoise must be in [0, 128], got ${resolved.pixelNoise}`);
  check(Number.isInteger(resolved.minArea) && resolved.minArea >= 1, `minArea must be a positive integer, got ${resolved.minArea}`);
  return resolved;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`generateScene: ${message}`);
}
