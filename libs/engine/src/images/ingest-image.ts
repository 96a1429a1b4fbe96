import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import sharp from 'sharp';
import { PermanentJobError } from '@dataengine/queue';
import { BlobNotFoundError } from '@dataengine/storage';
import { nowOf, type EngineDeps } from '../engine-deps';
import { completeRunItem } from '../runs/runs';
import { ensureTask } from '../tasks/task-queue';
import { getActiveCheckpoint } from '../checkpoints/checkpoint-registry';
import { EMBED_PRIORITY } from '../embeddings/embed-priority';

export interface IngestResult {
  imageId: number;
  status: 'ready' | 'failed' | 'missing';
  thumbKey?: string;
}

/**
 * The `ingest` job: re-reads the stored original, checks its hash, decodes it, records its
 * displayed size and writes the thumbnail. Idempotent: running it twice leaves the same rows.
 */
export async function ingestImage(deps: EngineDeps, input: { imageId: number; runId?: string }): Promise<IngestResult> {
  const image = await deps.db.image.findUnique({ where: { id: input.imageId } });
  if (!image) {
    if (input.runId) await deps.db.$transaction((tx) => completeRunItem(deps, tx, { runId: input.runId!, imageId: input.imageId, outcome: 'failed', error: 'image was deleted' }));
    return { imageId: input.imageId, status: 'missing' };
  }
  // a local file (the stored one, or a cached download from object storage): originals can be
  // hundreds of megabytes, so they are hashed as a stream and decoded from disk, never buffered whole
  let file: string;
  try {
    file = await deps.blobs.localPath(image.blobKey);
  } catch (error) {
    if (error instanceof BlobNotFoundError) return fail(deps, input, `the stored original ${image.blobKey} is missing`);
    throw error;
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const sha = hash.digest('hex');
  if (sha !== image.contentHash) return fail(deps, input, `the stored original does not match its hash (${sha} ≠ ${image.contentHash})`);

  let thumbKey: string;
  let thumbnail: Buffer;
  let width: number;
  let height: number;
  try {
    const size = deps.settings.THUMBNAIL_SIZE;
    const { data } = await sharp(file, { failOn: 'truncated', limitInputPixels: false })
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const meta = await sharp(file, { limitInputPixels: false }).metadata();
    const swapped = (meta.orientation ?? 1) >= 5;
    width = swapped ? meta.height! : meta.width!;
    height = swapped ? meta.width! : meta.height!;
    thumbKey = `thumbs/${image.contentHash.slice(0, 2)}/${image.contentHash}-${size}.webp`;
    thumbnail = data;
  } catch (error) {
    return fail(deps, input, `the image cannot be decoded: ${(error as Error).message}`);
  }
  // outside the decode's try: a store that is unreachable for a while is not a broken image (the job retries)
  if (!(await deps.blobs.stat(thumbKey))) await deps.blobs.put(thumbKey, thumbnail);
  await deps.db.$transaction(async (tx) => {
    await tx.image.update({
      where: { id: image.id },
      data: { status: 'ready', error: null, width, height, thumbKey, ingestedAt: image.ingestedAt ?? nowOf(deps) },
    });
    // the image joins its project's human work queue (stages 1 and 2; stage 3 has none)
    const project = await tx.project.findUniqueOrThrow({ where: { id: image.projectId }, select: { stage: true } });
    if (project.stage !== 'fully_automatic') await ensureTask(tx, { projectId: image.projectId, imageId: image.id, stage: project.stage });
    if (input.runId) await completeRunItem(deps, tx, { runId: input.runId, imageId: image.id, outcome: 'done' });
  });
  // precompute the embedding for the active checkpoint (annotators' leases bump their images ahead)
  const checkpoint = await getActiveCheckpoint(deps, image.projectId);
  if (checkpoint) await deps.jobs.enqueue('embed', { imageId: image.id, checkpointId: checkpoint.id }, { priority: EMBED_PRIORITY.backfill });
  return { imageId: image.id, status: 'ready', thumbKey };
}

async function fail(deps: EngineDeps, input: { imageId: number; runId?: string }, reason: string): Promise<never> {
  await deps.db.$transaction(async (tx) => {
    await tx.image.update({ where: { id: input.imageId }, data: { status: 'failed', error: reason } });
    if (input.runId) await completeRunItem(deps, tx, { runId: input.runId, imageId: input.imageId, outcome: 'failed', error: reason });
  });
  throw new PermanentJobError(`image ${input.imageId}: ${reason}`);
}
