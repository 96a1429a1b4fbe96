// The `embed` job: the heavy encoder runs once per image and checkpoint; the embedding is stored
// as float16 under the image's content hash and the checkpoint's bundle hash, and shared by every
// user and job (ARCHITECTURE.md "Processes").
import sharp from 'sharp';
import { AppError } from '@dataengine/contracts';
import { float32ToFloat16 } from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import { PermanentJobError } from '@dataengine/queue';
import type { EngineDeps } from '../engine-deps';
import { checkpointDir } from '../checkpoints/checkpoint-registry';
import { shareEmbeddings } from './shared-embeddings';

export interface EmbeddingInfo {
  blobKey: string;
  dtype: 'float16';
  shape: number[];
  byteSize: number;
  imageWidth: number;
  imageHeight: number;
}

export const embeddingKey = (bundleHash: string, contentHash: string) => `embeddings/${bundleHash.slice(0, 16)}/${contentHash.slice(0, 2)}/${contentHash}.f16`;

/** Computes (or finds) the embedding of an image for a checkpoint. Idempotent. */
export async function embedImage(deps: EngineDeps, input: { imageId: number; checkpointId: string }): Promise<EmbeddingInfo> {
  const image = await deps.db.image.findUnique({ where: { id: input.imageId } });
  if (!image) throw new AppError('NOT_FOUND', `image ${input.imageId} does not exist`);
  const checkpoint = await deps.db.checkpoint.findUnique({ where: { id: input.checkpointId } });
  if (!checkpoint) throw new AppError('NOT_FOUND', `checkpoint ${input.checkpointId} does not exist`);
  const key = embeddingKey(checkpoint.bundleHash, image.contentHash);
  const existing = await deps.db.embedding.findUnique({ where: { imageId_checkpointId: { imageId: image.id, checkpointId: checkpoint.id } } });
  if (existing && (await deps.blobs.stat(existing.blobKey))) {
    return { blobKey: existing.blobKey, dtype: 'float16', shape: existing.shape, byteSize: existing.byteSize, imageWidth: image.width, imageHeight: image.height };
  }
  // another checkpoint with the same encoder (a fast retrain's parent or child) may have it already
  if ((await shareEmbeddings(deps, checkpoint, [image.id])) > 0) {
    const shared = await deps.db.embedding.findUniqueOrThrow({ where: { imageId_checkpointId: { imageId: image.id, checkpointId: checkpoint.id } } });
    if (await deps.blobs.stat(shared.blobKey)) {
      return { blobKey: shared.blobKey, dtype: 'float16', shape: shared.shape, byteSize: shared.byteSize, imageWidth: image.width, imageHeight: image.height };
    }
  }
  // fetching the bundle and the original may meet an outage (the queue retries); what follows runs
  // on local files, so its failures are this image's or this model's, and no later try fixes them
  const bundleDir = await checkpointDir(deps, checkpoint);
  const original = await deps.blobs.localPath(image.blobKey);
  const { predictor } = await permanent(`checkpoint ${checkpoint.name} (${checkpoint.id}) cannot be opened; promote a working checkpoint`, () => openBundle(bundleDir));
  const { data, info } = await permanent(`image ${image.id} cannot be decoded; delete it or upload it again`, () =>
    sharp(original, { limitInputPixels: false }).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true }),
  );
  const embedding = await permanent(`the encoder of checkpoint ${checkpoint.name} (${checkpoint.id}) failed on image ${image.id}`, () =>
    predictor.embedImage({ width: info.width, height: info.height, channels: 3, data }),
  );
  const half = float32ToFloat16(embedding.tensor.data);
  const bytes = new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
  await deps.blobs.put(key, bytes);
  const shape = [...embedding.tensor.dims];
  await deps.db.embedding.upsert({
    where: { imageId_checkpointId: { imageId: image.id, checkpointId: checkpoint.id } },
    create: { imageId: image.id, checkpointId: checkpoint.id, blobKey: key, dtype: 'float16', shape, byteSize: bytes.byteLength },
    update: { blobKey: key, dtype: 'float16', shape, byteSize: bytes.byteLength },
  });
  return { blobKey: key, dtype: 'float16', shape, byteSize: bytes.byteLength, imageWidth: info.width, imageHeight: info.height };
}

/** Runs a step whose failure no retry can fix: it fails the job at once, saying what failed and why. */
async function permanent<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new PermanentJobError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}
