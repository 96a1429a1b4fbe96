import { AppError, decideGlobal } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { getActiveCheckpoint } from '../checkpoints/checkpoint-registry';
import { getImageForActor } from '../images/list-images';
import { EMBED_PRIORITY } from './embed-priority';

export type EmbeddingLookup =
  | { state: 'ready'; blobKey: string; byteSize: number; dtype: string; shape: number[]; checkpointId: string; etag: string; image: { width: number; height: number } }
  | { state: 'queued'; checkpointId: string };

/**
 * What the browser needs to segment an image: its embedding for the active (or a given)
 * checkpoint. When it is not computed yet, the embed job is queued at high priority — for the
 * checkpoint the image's project uses now; ops and admins may ask for any checkpoint the project
 * may use (global, or its own), e.g. a candidate.
 */
export async function lookupEmbedding(deps: EngineDeps, actor: Actor, input: { imageId: number; checkpointId?: string }): Promise<EmbeddingLookup> {
  const image = await getImageForActor(deps, actor, input.imageId);
  const active = await getActiveCheckpoint(deps, image.projectId);
  const checkpoint = input.checkpointId && input.checkpointId !== active?.id ? await deps.db.checkpoint.findUnique({ where: { id: input.checkpointId } }) : active;
  if (!checkpoint) throw new AppError('NOT_FOUND', input.checkpointId ? `checkpoint ${input.checkpointId} does not exist` : 'no checkpoint is active yet; ask ops to register one');
  if (checkpoint.projectId !== null && checkpoint.projectId !== image.projectId) {
    throw new AppError('FORBIDDEN', `checkpoint ${checkpoint.id} belongs to another project; images are segmented with the global checkpoint or their own project's`);
  }
  const row = await deps.db.embedding.findUnique({ where: { imageId_checkpointId: { imageId: image.id, checkpointId: checkpoint.id } } });
  if (row && (await deps.blobs.stat(row.blobKey))) {
    return {
      state: 'ready',
      blobKey: row.blobKey,
      byteSize: row.byteSize,
      dtype: row.dtype,
      shape: row.shape,
      checkpointId: checkpoint.id,
      etag: `"${checkpoint.bundleHash.slice(0, 16)}-${image.contentHash}"`,
      image: { width: image.width, height: image.height },
    };
  }
  if (checkpoint.id !== active?.id) {
    // computing embeddings for a checkpoint the project does not use is model work, not annotation
    const models = decideGlobal(actor, 'checkpoints.manage');
    if (!models.allowed) {
      throw new AppError('FORBIDDEN', `checkpoint "${checkpoint.name}" is not the one this project uses now${active ? ` ("${active.name}"); reload the tool to switch to it` : ''} — embeddings for other checkpoints are computed for ops only (${models.reason})`);
    }
  }
  if (image.status !== 'ready') throw new AppError('CONFLICT', `image ${image.id} is ${image.status}; it can be segmented once ingested`);
  await deps.jobs.enqueue('embed', { imageId: image.id, checkpointId: checkpoint.id }, { priority: EMBED_PRIORITY.waiting });
  return { state: 'queued', checkpointId: checkpoint.id };
}
