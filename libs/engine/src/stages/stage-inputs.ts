// What a stage-2/3 job reads before it computes: the image row, its pixels, the run's checkpoint
// bundle (onnx sessions cached per bundle directory by openBundle, so every job of a worker reuses
// them) and the image's stored float16 embedding (read through the host's blob cache).
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { float16ToFloat32, type ImageEmbedding, type RgbImage } from '@dataengine/segment';
import { openBundle, type OpenBundle } from '@dataengine/segment/node';
import type { EngineDeps } from '../engine-deps';
import { checkpointDir } from '../checkpoints/checkpoint-registry';
import { embedImage } from '../embeddings/embed-image';
import type { RunRow } from '../runs/run-control';
import { ImageItemError, imageStep } from './image-run-item';

export interface StageImage {
  id: number;
  projectId: string;
  width: number;
  height: number;
  blobKey: string;
}

export async function loadStageImage(deps: EngineDeps, imageId: number): Promise<StageImage> {
  const image = await deps.db.image.findUnique({ where: { id: imageId }, select: { id: true, projectId: true, width: true, height: true, blobKey: true } });
  if (!image) throw new ImageItemError(`image ${imageId} no longer exists`);
  return image;
}

/** The run's checkpoint and its opened bundle (validated once per process). */
export async function openRunCheckpoint(deps: EngineDeps, run: RunRow): Promise<{ checkpointId: string; bundle: OpenBundle }> {
  if (!run.checkpointId) throw new ImageItemError(`run ${run.id} has no checkpoint (it was deleted); start a new run`);
  const checkpoint = await deps.db.checkpoint.findUnique({ where: { id: run.checkpointId } });
  if (!checkpoint) throw new ImageItemError(`checkpoint ${run.checkpointId} of run ${run.id} no longer exists; start a new run`);
  const bundle = await imageStep(`opening checkpoint "${checkpoint.name}"`, async () => openBundle(await checkpointDir(deps, checkpoint)));
  return { checkpointId: checkpoint.id, bundle };
}

/** Decoded RGB pixels, upright (EXIF orientation applied, as ingest measured the image). */
export function loadImagePixels(deps: EngineDeps, image: StageImage): Promise<RgbImage> {
  return imageStep(`decoding image ${image.id}`, async () => {
    const { data, info } = await sharp(await deps.blobs.localPath(image.blobKey), { limitInputPixels: false }).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  });
}

/**
 * The image's embedding for the checkpoint as the embed job stored it (computed and stored now
 * when missing), widened to float32. Every stage uses the stored one, so a retried job sees the
 * same embedding as the first try did.
 */
export async function loadStoredEmbedding(deps: EngineDeps, input: { imageId: number; checkpointId: string }): Promise<ImageEmbedding> {
  const info = await imageStep(`computing the embedding of image ${input.imageId}`, () => embedImage(deps, input));
  // through the local cache on a remote store: each prefill of the image reads it again
  const bytes = await readFile(await deps.blobs.localPath(info.blobKey));
  const bits = new Uint16Array(bytes.byteLength >>> 1);
  new Uint8Array(bits.buffer).set(bytes.subarray(0, bits.byteLength));
  return { tensor: { data: float16ToFloat32(bits), dims: info.shape }, imageWidth: info.imageWidth, imageHeight: info.imageHeight };
}
