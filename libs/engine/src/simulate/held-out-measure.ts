// What each round's checkpoint is worth on images no one uploaded: scenes of the simulation's family
// from a separate seed stream, with their exact ground truth, scored by libs/segment's evaluation
// (the evaluate run's metric: mIoU after 1 and 3 simulated clicks on every whole object) through
// the bundle's ONNX graphs — on the JPEG pixels the engine would see.
import sharp from 'sharp';
import { decodeRle, evaluateBundle, type EvalScene } from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import { encodeSceneImage } from '@dataengine/synth/node';
import { checkpointDir, type CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import type { SimulationOptions } from './simulation-options';
import { generateSimulationScene, groundTruthObjects, HELD_OUT_SEED_OFFSET } from './simulation-scenes';

export interface HeldOutScore {
  checkpoint: { id: string; name: string };
  images: number;
  objects: number;
  miou1: number;
  miou3: number;
  seconds: number;
}

type HeldOutOptions = Pick<SimulationOptions, 'seed' | 'width' | 'height' | 'scenes' | 'heldOutScenes' | 'minObjectArea'>;

async function* heldOutScenes(options: HeldOutOptions): AsyncGenerator<EvalScene> {
  for (let i = 0; i < options.heldOutScenes; i++) {
    const scene = generateSimulationScene(options.seed + HELD_OUT_SEED_OFFSET, i, options, options.scenes);
    const { data, info } = await sharp(await encodeSceneImage(scene, 'jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    yield {
      id: i,
      image: { width: info.width, height: info.height, channels: 3, data },
      objects: groundTruthObjects(scene, options.minObjectArea).map((o) => ({ mask: decodeRle(o.rle), whole: true })),
    };
  }
}

export async function measureHeldOut(deps: EngineDeps, checkpoint: Pick<CheckpointRow, 'id' | 'name' | 'bundleKey'>, options: HeldOutOptions, signal?: AbortSignal): Promise<HeldOutScore> {
  const started = performance.now();
  const { predictor } = await openBundle(await checkpointDir(deps, checkpoint));
  const r = await evaluateBundle(predictor, heldOutScenes(options), { ks: [1, 3], maxClicks: 3, boxPrompts: false, minObjectArea: options.minObjectArea, ...(signal ? { signal } : {}) });
  return { checkpoint: { id: checkpoint.id, name: checkpoint.name }, images: r.images, objects: r.objects, miou1: r.miouAt[1] ?? Number.NaN, miou3: r.miouAt[3] ?? Number.NaN, seconds: (performance.now() - started) / 1000 };
}
