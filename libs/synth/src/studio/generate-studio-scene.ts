import type { Placement } from '../geometry/shape.types';
import { type Rng, createRng } from '../prng';
import { type DrawnNode, extractInstances } from '../scene/scene-instances';
import type { ResolvedSceneOptions, Scene } from '../scene/scene.types';
import { drawStudioObject } from './draw-studio-object';
import { drawFinishLook, finishStudioImage } from './studio-finish';
import { beadString, bottle, button, cardFan, crescentObject, cup, leaf, tile, washer } from './studio-objects';
import { paintStudioSurface } from './studio-surface';
import { key, pencil, screwdriver, spoon, wrench } from './studio-tools';
import {
  ALL_STUDIO_EFFECTS,
  type ObjectLook,
  type StudioCanvas,
  type StudioEffects,
  type StudioLight,
  type StudioNode,
} from './studio.types';
import { createTiledNoise } from './tiled-noise';

interface StudioKind {
  build: (rng: Rng, p: Placement) => StudioNode | StudioNode[];
  /** Relative frequency in a scene. */
  weight: number;
  /** Size relative to the scene's size draw (long tools are longer, buttons smaller). */
  scale: number;
  /** Stands upright (side view: cups) rather than lying at any angle. */
  upright: boolean;
}

/** The studio vocabulary; none of these outlines is a classic shape family or template. */
export const STUDIO_KINDS: Record<string, StudioKind> = {
  tile: { build: tile, weight: 1, scale: 0.85, upright: false },
  washer: { build: washer, weight: 0.7, scale: 0.5, upright: false },
  button: { build: button, weight: 0.7, scale: 0.4, upright: false },
  crescent: { build: crescentObject, weight: 0.6, scale: 0.7, upright: false },
  cup: { build: cup, weight: 1, scale: 1, upright: true },
  bottle: { build: bottle, weight: 1, scale: 1.3, upright: false },
  leaf: { build: leaf, weight: 1.2, scale: 1, upright: false },
  'card-fan': { build: cardFan, weight: 0.6, scale: 0.8, upright: false },
  'bead-string': { build: beadString, weight: 0.6, scale: 1.3, upright: false },
  key: { build: key, weight: 0.8, scale: 0.8, upright: false },
  screwdriver: { build: screwdriver, weight: 0.7, scale: 1.4, upright: false },
  wrench: { build: wrench, weight: 0.7, scale: 1.3, upright: false },
  spoon: { build: spoon, weight: 0.7, scale: 1.2, upright: false },
  pencil: { build: pencil, weight: 0.9, scale: 1.3, upright: false },
};
const KIND_NAMES = Object.keys(STUDIO_KINDS);
const TOTAL_WEIGHT = KIND_NAMES.reduce((sum, k) => sum + STUDIO_KINDS[k]!.weight, 0);

/** Objects are centred up to this fraction of the frame outside it (partly out of frame). */
const OUT_OF_FRAME = 0.1;
/** Chance that an object is dropped onto an earlier one (piles, heavy occlusion) rather than anywhere. */
const PILE_CHANCE = 0.35;
/** Chance that an object is out of focus, and its blur radius range in pixels. */
const DEFOCUS_CHANCE = 0.22;
const DEFOCUS_RADIUS = [1, 3] as const;

/**
 * The held-out 'studio' family: objects on a table / cloth / backdrop under one directional
 * light, each with a soft cast shadow and shading from its own relief, some out of focus, then
 * uneven illumination, vignette, optional lens softness and grain. Objects are drawn largest-ish
 * first and later ones occlude earlier ones; masks come from the exact silhouettes, as in
 * classic. `effects` exists for tests; generateScene always passes all effects on.
 */
export function generateStudioScene(o: ResolvedSceneOptions, effects: StudioEffects = ALL_STUDIO_EFFECTS): Scene {
  const rng = createRng(o.seed);
  const { width, height } = o;
  const canvas: StudioCanvas = {
    width,
    height,
    rgb: new Float32Array(width * height * 3),
    labels: new Int32Array(width * height).fill(-1),
    shade: new Float32Array(width * height),
    spec: new Float32Array(width * height),
  };
  const noise = createTiledNoise(rng);
  const light = drawLight(rng);
  paintStudioSurface(canvas, rng, noise, o.backgroundTexture);
  const shadowBase = rng.range(0.3, 0.55);

  const count = rng.int(o.objectCount[0], o.objectCount[1]);
  const planned: { roots: StudioNode[]; looks: ObjectLook[]; depth: number; at: Placement }[] = [];
  for (let i = 0; i < count; i++) {
    const kind = STUDIO_KINDS[pickKind(rng)]!;
    const size = rng.range(o.sizeRange[0], o.sizeRange[1]) * Math.min(width, height) * kind.scale;
    const onto = planned.length > 0 && rng.chance(PILE_CHANCE) ? rng.pick(planned).at : null;
    const spread = onto === null ? 0 : 0.35 * Math.max(size, onto.size);
    const p: Placement = {
      cx: onto === null ? rng.range(-OUT_OF_FRAME, 1 + OUT_OF_FRAME) * width : onto.cx + rng.range(-spread, spread),
      cy: onto === null ? rng.range(-OUT_OF_FRAME, 1 + OUT_OF_FRAME) * height : onto.cy + rng.range(-spread, spread),
      size,
      rotation: kind.upright ? rng.range(-0.3, 0.3) : rng.range(0, 2 * Math.PI),
    };
    const built = kind.build(rng, p);
    const roots = Array.isArray(built) ? built : [built];
    const looks = roots.map(() => drawObjectLook(rng, light, p, shadowBase));
    planned.push({ roots, looks, depth: size * rng.range(0.5, 1.5), at: p });
  }
  // bigger things tend to lie underneath, so small ones stay visible on top of them
  planned.sort((a, b) => b.depth - a.depth);

  const nodes: DrawnNode[] = [];
  const ctx = { canvas, light, noise, effects, hierarchies: o.hierarchies, nodes };
  for (const { roots, looks } of planned) roots.forEach((root, i) => drawStudioObject(ctx, root, looks[i]!));

  const rgb = finishStudioImage(canvas, drawFinishLook(rng), light, noise, o.pixelNoise);
  return { width, height, rgb, instances: extractInstances(canvas.labels, nodes, width, height, o.minArea) };
}

function pickKind(rng: Rng): string {
  let t = rng.next() * TOTAL_WEIGHT;
  for (const name of KIND_NAMES) {
    t -= STUDIO_KINDS[name]!.weight;
    if (t < 0) return name;
  }
  return KIND_NAMES[KIND_NAMES.length - 1]!;
}

/** A key light from above the frame (upper left to upper right), 35–60° above the table. */
function drawLight(rng: Rng): StudioLight {
  const azimuth = rng.range(-0.85 * Math.PI, -0.15 * Math.PI);
  const z = rng.range(0.55, 0.82);
  const xy = Math.sqrt(1 - z * z);
  return { x: xy * Math.cos(azimuth), y: xy * Math.sin(azimuth), z, ambient: rng.range(0.28, 0.45) };
}

/** Shadow offset grows with the object's height above what it lies on and with a lower light. */
function drawObjectLook(rng: Rng, light: StudioLight, p: Placement, shadowBase: number): ObjectLook {
  const lift = p.size * rng.range(0.025, 0.07) + 1.5;
  const xy = Math.hypot(light.x, light.y) || 1;
  const reach = (lift * xy) / light.z;
  const falloff = rng.range(0.1, 0.3) / Math.max(8, p.size);
  const defocus = rng.chance(DEFOCUS_CHANCE) ? rng.int(DEFOCUS_RADIUS[0], DEFOCUS_RADIUS[1]) : 0;
  return {
    shadowDx: (-light.x / xy) * reach,
    shadowDy: (-light.y / xy) * reach,
    shadowBlur: 1.5 + reach * rng.range(0.5, 0.9),
    shadowStrength: Math.min(0.7, shadowBase * rng.range(0.85, 1.15)),
    defocus,
    gradient: { cx: p.cx, cy: p.cy, gx: (light.x / xy) * falloff, gy: (light.y / xy) * falloff },
  };
}
