import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveSeed } from '../prng';
import { sceneToSa1bRecord, sceneToSceneTree } from '../sa1b/scene-to-sa1b-record';
import { splitImageIds } from '../sa1b/split-image-ids';
import { generateScene } from '../scene/generate-scene';
import { resolveSceneOptions } from '../scene/scene-options';
import type { InstanceLevel, ResolvedSceneOptions, SceneOptions } from '../scene/scene.types';
import { SYNTH_GENERATOR_NAME, SYNTH_GENERATOR_VERSION } from '../version';
import { writeFileAtomic } from './atomic-write';
import { DEFAULT_JPEG_QUALITY, encodeSceneImage } from './write-scene-image';

export interface Sa1bSnapshotOptions {
  dir: string;
  count: number;
  seed: number;
  width: number;
  height: number;
  /** Fraction of images in the val split (default 0.1). */
  valFraction?: number;
  sceneOptions?: Omit<SceneOptions, 'seed' | 'width' | 'height'>;
  jpegQuality?: number;
  onProgress?: (written: number, total: number) => void;
}

export interface Sa1bSnapshotManifest {
  format: 'sa1b';
  generator: string;
  generatorVersion: string;
  seed: number;
  width: number;
  height: number;
  valFraction: number;
  jpegQuality: number;
  /**
   * Scene seed of image i is deriveSeed(seed, i); annotation ids run on across images from 1.
   * `variant` says which scene family the snapshot holds ('classic' or the held-out 'studio').
   */
  sceneOptions: Omit<ResolvedSceneOptions, 'seed' | 'width' | 'height'>;
  counts: { images: number; annotations: number; train: number; val: number; byLevel: Record<InstanceLevel, number> };
  files: { imageIds: string; split: string; perImage: string[] };
}

export const SNAPSHOT_FILES = {
  imageIds: 'sa_images_ids.txt',
  split: 'split.json',
  manifest: 'snapshot.json',
} as const;

/**
 * Writes a deterministic SA-1B-style snapshot: per image `sa_<id>.jpg`, `sa_<id>.json` (SA-1B
 * record) and `sa_<id>.tree.json` (hierarchy sidecar); then `sa_images_ids.txt` (one id per
 * line), `split.json` and finally `snapshot.json`, whose presence marks a complete snapshot.
 * Image ids are 1..count. Every file is written atomically (temp + rename).
 */
export async function writeSa1bSnapshot(options: Sa1bSnapshotOptions): Promise<Sa1bSnapshotManifest> {
  const { dir, count, seed, width, height } = options;
  const valFraction = options.valFraction ?? 0.1;
  const jpegQuality = options.jpegQuality ?? DEFAULT_JPEG_QUALITY;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!(valFraction >= 0 && valFraction <= 1)) throw new RangeError(`valFraction must be in [0, 1], got ${valFraction}`);
  const resolved = resolveSceneOptions({ ...options.sceneOptions, seed, width, height });
  const sceneOptions: Sa1bSnapshotManifest['sceneOptions'] = {
    variant: resolved.variant,
    objectCount: resolved.objectCount,
    families: resolved.families,
    hierarchies: resolved.hierarchies,
    hierarchyProbability: resolved.hierarchyProbability,
    templates: resolved.templates,
    textures: resolved.textures,
    sizeRange: resolved.sizeRange,
    pixelNoise: resolved.pixelNoise,
    backgroundTexture: resolved.backgroundTexture,
    minArea: resolved.minArea,
  };
  await mkdir(dir, { recursive: true });

  const byLevel: Record<InstanceLevel, number> = { whole: 0, part: 0, subpart: 0 };
  let annotationIdOffset = 0;
  const ids: number[] = [];
  for (let imageId = 1; imageId <= count; imageId++) {
    const scene = generateScene({ ...sceneOptions, seed: deriveSeed(seed, imageId), width, height });
    const stem = `sa_${imageId}`;
    const record = sceneToSa1bRecord(scene, { imageId, fileName: `${stem}.jpg`, annotationIdOffset });
    const tree = sceneToSceneTree(scene, { imageId, annotationIdOffset });
    await writeFileAtomic(join(dir, `${stem}.jpg`), await encodeSceneImage(scene, 'jpg', { jpegQuality }));
    await writeFileAtomic(join(dir, `${stem}.json`), JSON.stringify(record));
    await writeFileAtomic(join(dir, `${stem}.tree.json`), JSON.stringify(tree));
    for (const inst of scene.instances) byLevel[inst.level]++;
    annotationIdOffset += scene.instances.length;
    ids.push(imageId);
    options.onProgress?.(imageId, count);
  }

  const split = splitImageIds(ids, seed, valFraction);
  await writeFileAtomic(join(dir, SNAPSHOT_FILES.imageIds), `${ids.join('\n')}\n`);
  await writeFileAtomic(join(dir, SNAPSHOT_FILES.split), `${JSON.stringify(split, null, 2)}\n`);
  const manifest: Sa1bSnapshotManifest = {
    format: 'sa1b',
    generator: SYNTH_GENERATOR_NAME,
    generatorVersion: SYNTH_GENERATOR_VERSION,
    seed,
    width,
    height,
    valFraction,
    jpegQuality,
    sceneOptions,
    counts: { images: count, annotations: annotationIdOffset, train: split.train.length, val: split.val.length, byLevel },
    files: {
      imageIds: SNAPSHOT_FILES.imageIds,
      split: SNAPSHOT_FILES.split,
      perImage: ['sa_<id>.jpg', 'sa_<id>.json', 'sa_<id>.tree.json'],
    },
  };
  await writeFileAtomic(join(dir, SNAPSHOT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
