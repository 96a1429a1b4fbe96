import { ALL_SHAPE_FAMILIES, SHAPE_FAMILIES } from '../geometry/shape-families';
import { TEXTURE_KINDS } from '../paint/texture';
import {
  HIERARCHY_TEMPLATES,
  SCENE_VARIANTS,
  type ResolvedSceneOptions,
  type SceneOptions,
  type SceneVariant,
} from './scene.types';

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

/**
 * Where the 'studio' family's defaults differ from SCENE_DEFAULTS: more and larger objects (heavy
 * clutter and occlusion, ~25–60 instances at 512×384) and a finer film grain.
 */
export const STUDIO_SCENE_DEFAULTS = {
  objectCount: [12, 22],
  sizeRange: [0.14, 0.55],
  pixelNoise: 4,
} as const;

const DEFAULT_VARIANT: SceneVariant = 'classic';
const MAX_SIDE = 16384;
const MAX_OBJECTS = 1000;

/** Fills defaults and checks ranges; throws a RangeError naming the bad option. */
export function resolveSceneOptions(options: SceneOptions): ResolvedSceneOptions {
  const variant = options.variant ?? DEFAULT_VARIANT;
  check(
    SCENE_VARIANTS.includes(variant),
    `unknown variant ${JSON.stringify(variant)}; known: ${SCENE_VARIANTS.join(', ')}`,
  );
  const defaults = variant === 'studio' ? { ...SCENE_DEFAULTS, ...STUDIO_SCENE_DEFAULTS } : SCENE_DEFAULTS;
  const resolved: ResolvedSceneOptions = {
    seed: options.seed,
    width: options.width,
    height: options.height,
    variant,
    objectCount: options.objectCount ?? [...defaults.objectCount],
    families: options.families ?? [...ALL_SHAPE_FAMILIES],
    hierarchies: options.hierarchies ?? SCENE_DEFAULTS.hierarchies,
    hierarchyProbability: options.hierarchyProbability ?? SCENE_DEFAULTS.hierarchyProbability,
    templates: options.templates ?? [...HIERARCHY_TEMPLATES],
    textures: options.textures ?? [...TEXTURE_KINDS],
    sizeRange: options.sizeRange ?? [...defaults.sizeRange],
    pixelNoise: options.pixelNoise ?? defaults.pixelNoise,
    backgroundTexture: options.backgroundTexture ?? SCENE_DEFAULTS.backgroundTexture,
    minArea: options.minArea ?? SCENE_DEFAULTS.minArea,
  };
  const { seed, width, height, objectCount: count, sizeRange: size } = resolved;
  const list = (items: readonly string[]): string => items.join(', ');
  check(Number.isInteger(seed), `seed must be an integer, got ${seed}`);
  check(isIntIn(width, 1, MAX_SIDE), `width must be an integer in [1, ${MAX_SIDE}], got ${width}`);
  check(isIntIn(height, 1, MAX_SIDE), `height must be an integer in [1, ${MAX_SIDE}], got ${height}`);
  check(
    isIntIn(count[0], 0, MAX_OBJECTS) && isIntIn(count[1], count[0], MAX_OBJECTS),
    `objectCount must be integers [min, max] with 0 ≤ min ≤ max ≤ ${MAX_OBJECTS}, got ${JSON.stringify(count)}`,
  );
  check(
    size[0] > 0 && size[1] >= size[0] && size[1] <= 4,
    `sizeRange must satisfy 0 < min ≤ max ≤ 4, got ${JSON.stringify(size)}`,
  );
  for (const f of resolved.families) {
    check(f in SHAPE_FAMILIES, `unknown shape family "${f}"; known: ${list(ALL_SHAPE_FAMILIES)}`);
  }
  for (const t of resolved.templates) {
    check(HIERARCHY_TEMPLATES.includes(t), `unknown template "${t}"; known: ${list(HIERARCHY_TEMPLATES)}`);
  }
  for (const t of resolved.textures) {
    check(TEXTURE_KINDS.includes(t), `unknown texture "${t}"; known: ${list(TEXTURE_KINDS)}`);
  }
  check(resolved.textures.length > 0, 'textures must not be empty');
  check(
    resolved.families.length > 0 || (resolved.hierarchies && resolved.templates.length > 0),
    'nothing to draw: families is empty and hierarchies are off (or templates is empty)',
  );
  const { hierarchyProbability: hp, pixelNoise, minArea } = resolved;
  check(hp >= 0 && hp <= 1, `hierarchyProbability must be in [0, 1], got ${hp}`);
  check(pixelNoise >= 0 && pixelNoise <= 128, `pixelNoise must be in [0, 128], got ${pixelNoise}`);
  check(Number.isInteger(minArea) && minArea >= 1, `minArea must be a positive integer, got ${minArea}`);
  return resolved;
}

function isIntIn(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`generateScene: ${message}`);
}
