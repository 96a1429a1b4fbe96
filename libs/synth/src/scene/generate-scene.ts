import { SHAPE_FAMILIES, buildPrimitive } from '../geometry/shape-families';
import { rasterizeShape } from '../geometry/scanline-fill';
import type { Placement } from '../geometry/shape.types';
import { addPixelNoise, paintBackground } from '../paint/background';
import { type Hsl, type Rgb, contrastingHsl, randomHsl, rgbDistance, toRgb } from '../paint/color';
import { type Canvas, createTexture, paintSpans } from '../paint/texture';
import { type Rng, createRng } from '../prng';
import { generateStudioScene } from '../studio/generate-studio-scene';
import { type NodeSpec, buildTemplate } from './object-templates';
import { type DrawnNode, extractInstances } from './scene-instances';
import { resolveSceneOptions } from './scene-options';
import type { ResolvedSceneOptions, Scene, SceneOptions } from './scene.types';

/** Composites are drawn a little larger so their parts have room. */
const COMPOSITE_SCALE = 1.3;
/** Object colours are re-drawn (a few times) until this far from the background's mean (RGB units). */
const MIN_BACKGROUND_DISTANCE = 90;

/**
 * Deterministic synthetic scene. 'classic' (default): a textured gradient background, then objects
 * drawn in order (later ones occlude earlier ones), then pixel noise. 'studio': lit photographed-
 * looking objects (see generateStudioScene). Every instance mask is exact with respect to the
 * drawn pixels. Same options → identical bytes.
 */
export function generateScene(options: SceneOptions): Scene {
  const o = resolveSceneOptions(options);
  if (o.variant === 'studio') return generateStudioScene(o);
  const rng = createRng(o.seed);
  const { width, height } = o;
  const canvas: Canvas = {
    width,
    height,
    rgb: new Uint8Array(width * height * 3),
    labels: new Int32Array(width * height).fill(-1),
  };
  const background = paintBackground(canvas.rgb, width, height, rng, o.backgroundTexture);
  const nodes: DrawnNode[] = [];
  const draw = (spec: NodeSpec, parent: number, parentColor: Hsl | null): void => {
    const color = parentColor === null ? objectColor(rng, background) : contrastingHsl(rng, parentColor);
    const texture = createTexture(rng, rng.pick(o.textures), color, width, height);
    const index = nodes.length;
    nodes.push({ kind: spec.kind, level: spec.level, parent });
    paintSpans(canvas, rasterizeShape(spec.shape, width, height), texture, index);
    for (const child of spec.children) draw(child, index, color);
  };

  const objectCount = rng.int(o.objectCount[0], o.objectCount[1]);
  for (let i = 0; i < objectCount; i++) draw(nextObject(rng, o), -1, null);
  addPixelNoise(canvas.rgb, rng, o.pixelNoise);

  return { width, height, rgb: canvas.rgb, instances: extractInstances(canvas.labels, nodes, width, height, o.minArea) };
}

function nextObject(rng: Rng, o: ResolvedSceneOptions): NodeSpec {
  const composite =
    o.hierarchies && o.templates.length > 0 && (o.families.length === 0 || rng.chance(o.hierarchyProbability));
  const minDim = Math.min(o.width, o.height);
  const size = rng.range(o.sizeRange[0], o.sizeRange[1]) * minDim * (composite ? COMPOSITE_SCALE : 1);
  const p: Placement = {
    cx: rng.range(0, o.width),
    cy: rng.range(0, o.height),
    size,
    rotation: composite ? rng.range(-0.35, 0.35) : rng.range(0, 2 * Math.PI),
  };
  if (composite) return buildTemplate(rng.pick(o.templates), rng, p);
  const kind = rng.pick(SHAPE_FAMILIES[rng.pick(o.families)]);
  return { kind, level: 'whole', shape: buildPrimitive(kind, rng, p), children: [] };
}

function objectColor(rng: Rng, background: Rgb): Hsl {
  let color = randomHsl(rng);
  for (let tries = 0; tries < 8 && rgbDistance(toRgb(color), background) < MIN_BACKGROUND_DISTANCE; tries++) {
    color = randomHsl(rng);
  }
  return color;
}
