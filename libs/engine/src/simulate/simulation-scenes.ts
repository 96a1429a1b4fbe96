// The synthetic project: scene i of a simulation is generateScene(deriveSeed(seed, i)), so the
// ground truth of every image can be regenerated from (seed, index, size) alone — by the simulator
// and by anyone checking its numbers.
import type { CompressedRle } from '@dataengine/segment';
import { deriveSeed, generateScene, sceneToSa1bRecord, type Scene, type SceneVariant } from '@dataengine/synth';
import { encodeSceneImage } from '@dataengine/synth/node';

/** One ground-truth object the simulated annotator may segment: a whole (root of the part tree). */
export interface GroundTruthObject {
  /** The scene's instance id (also the SA-1B annotation id of the image's record). */
  instanceId: number;
  area: number;
  /** The SA-1B annotation's COCO compressed RLE. */
  rle: CompressedRle;
}

export interface SimulationScene {
  index: number;
  sceneSeed: number;
  fileName: string;
  /** Whole objects of at least `minObjectArea` pixels, largest first (the order an annotator works in). */
  objects: GroundTruthObject[];
}

export const simulationSceneSeed = (seed: number, index: number): number => deriveSeed(seed, index);
export const simulationFileName = (index: number): string => `sim-${String(index + 1).padStart(5, '0')}.jpg`;

export function generateSimulationScene(seed: number, index: number, size: { width: number; height: number }, variant: SceneVariant = 'classic'): Scene {
  return generateScene({ seed: simulationSceneSeed(seed, index), width: size.width, height: size.height, variant });
}

/**
 * Scenes that are never uploaded: the simulator measures each round's checkpoint on them. Their
 * seeds come from another stream than the project's (seed + this offset), so no project image is
 * one of them.
 */
export const HELD_OUT_SEED_OFFSET = 1_000_003;

/** Ground truth of a scene as the simulator uses it; the masks come from the scene's SA-1B record. */
export function groundTruthObjects(scene: Scene, minObjectArea: number): GroundTruthObject[] {
  const record = sceneToSa1bRecord(scene, { imageId: 1, fileName: 'scene.jpg' });
  const wholes = new Set(scene.instances.filter((inst) => inst.level === 'whole').map((inst) => inst.id));
  return record.annotations
    .filter((a) => wholes.has(a.id) && a.area >= minObjectArea)
    .sort((a, b) => b.area - a.area || a.id - b.id)
    .map((a) => ({ instanceId: a.id, area: a.area, rle: a.segmentation }));
}

/** Generates scene `index` and returns its JPEG bytes (what is uploaded) and its ground truth. */
export async function buildSimulationScene(
  seed: number,
  index: number,
  size: { width: number; height: number },
  minObjectArea: number,
  variant: SceneVariant = 'classic',
): Promise<{ scene: SimulationScene; jpeg: Buffer }> {
  const generated = generateSimulationScene(seed, index, size, variant);
  const jpeg = await encodeSceneImage(generated, 'jpg');
  return {
    scene: { index, sceneSeed: simulationSceneSeed(seed, index), fileName: simulationFileName(index), objects: groundTruthObjects(generated, minObjectArea) },
    jpeg,
  };
}
