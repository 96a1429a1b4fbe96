// Embeddings are per image and checkpoint, but what computes them is the checkpoint's image encoder:
// checkpoints with the same encoder (a fast retrain's candidate and its parent) get the same
// embedding blob, recorded under each of them, instead of running the encoder again.
import type { CheckpointRow } from '../checkpoints/checkpoint-registry';
import { encoderHashOfFiles } from '../checkpoints/encoder-identity';
import type { EngineDeps } from '../engine-deps';

/** The checkpoint's encoder hash, computed from its stored bundle (and recorded) when it has none yet. */
export async function ensureEncoderHash(deps: EngineDeps, checkpoint: Pick<CheckpointRow, 'id' | 'bundleKey' | 'encoderHash'>): Promise<string | null> {
  if (checkpoint.encoderHash) return checkpoint.encoderHash;
  const key = `${checkpoint.bundleKey}/encoder.onnx`;
  if (!(await deps.blobs.stat(key))) return null;
  const data = `${key}.data`;
  const files = [await deps.blobs.localPath(key), ...((await deps.blobs.stat(data)) ? [await deps.blobs.localPath(data)] : [])];
  const hash = await encoderHashOfFiles(files);
  await deps.db.checkpoint.update({ where: { id: checkpoint.id }, data: { encoderHash: hash } });
  return hash;
}

/**
 * Records, for every image that has an embedding under another checkpoint with the same encoder,
 * that embedding under this checkpoint too (one statement; existing rows are kept). Returns how
 * many images gained one.
 */
export async function shareEmbeddings(deps: EngineDeps, checkpoint: Pick<CheckpointRow, 'id' | 'bundleKey' | 'encoderHash'>, imageIds?: readonly number[]): Promise<number> {
  const hash = await ensureEncoderHash(deps, checkpoint);
  if (!hash) return 0;
  const onlyImages = imageIds ? `AND e."image_id" = ANY($3::int[])` : '';
  const sql = `
    INSERT INTO "embeddings" ("image_id", "checkpoint_id", "blob_key", "dtype", "shape", "byte_size")
    SELECT DISTINCT ON (e."image_id") e."image_id", $1::uuid, e."blob_key", e."dtype", e."shape", e."byte_size"
    FROM "embeddings" e JOIN "checkpoints" c ON c."id" = e."checkpoint_id"
    WHERE c."encoder_hash" = $2 AND c."id" <> $1::uuid ${onlyImages}
    ORDER BY e."image_id", e."created_at" DESC
    ON CONFLICT ("image_id", "checkpoint_id") DO NOTHING`;
  return imageIds ? deps.db.$executeRawUnsafe(sql, checkpoint.id, hash, [...imageIds]) : deps.db.$executeRawUnsafe(sql, checkpoint.id, hash);
}
