// Test data for the retrain loop's tests: small synthetic scenes uploaded and ingested, with their
// ground-truth objects saved as an annotator's manual masks (the real saveMask path).
import { Readable } from 'node:stream';
import { ingestImage, saveMask, uploadImage, type Actor, type EngineDeps } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { deriveSeed, generateScene } from '@dataengine/synth';
import { encodeSceneImage } from '@dataengine/synth/node';

export interface SceneImagesOptions {
  projectId: string;
  uploader: Actor;
  annotator: Actor;
  count: number;
  seed: number;
  width?: number;
  height?: number;
  /** objects saved as masks per image (the scene's first ones) */
  masksPerImage?: number;
  split?: 'train' | 'val';
}

export async function addSceneImages(deps: EngineDeps, options: SceneImagesOptions): Promise<{ imageIds: number[]; masks: number }> {
  const imageIds: number[] = [];
  let masks = 0;
  for (let i = 0; i < options.count; i++) {
    const scene = generateScene({ seed: deriveSeed(options.seed, i), width: options.width ?? 160, height: options.height ?? 120, objectCount: [3, 4], hierarchyProbability: 0 });
    const body = Readable.from([await encodeSceneImage(scene, 'png')]);
    const { image } = await uploadImage(deps, options.uploader, { projectId: options.projectId, fileName: `scene-${options.seed}-${i}.png`, body, split: options.split ?? 'train' });
    await ingestImage(deps, { imageId: image.id });
    imageIds.push(image.id);
    for (const inst of scene.instances.slice(0, options.masksPerImage ?? 3)) {
      await saveMask(deps, options.annotator, { imageId: image.id, segmentation: compressRle(encodeMask(inst.mask)), activeMs: 1_000, clicks: 2 });
      masks++;
    }
  }
  return { imageIds, masks };
}
