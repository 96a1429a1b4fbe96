import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import sharp from 'sharp';
import type { Image } from '@dataengine/db';
import { PermanentJobError } from '@dataengine/queue';
import { BlobNotFoundError, parseSourceBlobKey, SourceAccessDeniedError } from '@dataengine/storage';
import { nowOf, type EngineDeps } from '../engine-deps';
import { completeRunItem } from '../runs/runs';
import { ensureTask } from '../tasks/task-queue';
import { getActiveCheckpoint } from '../checkpoints/checkpoint-registry';
import { EMBED_PRIORITY } from '../embeddings/embed-priority';
import { adoptSourceObject, noteSourceError, refuseBySize, sourceName } from './adopt-source-object';
import { isUnreadSource } from './register-listing';

export interface IngestResult {
  imageId: number;
  /** duplicate: an object registered in place held bytes the project already had; its row is gone */
  status: 'ready' | 'failed' | 'missing' | 'duplicate';
  thumbKey?: string;
}

/**
 * The `ingest` job: re-reads the stored original, checks its hash, decodes it, records its
 * displayed size and writes the thumbnail. Idempotent: running it twice leaves the same rows. An
 * image registered in place is read from its object; the first read also checks it as an upload is
 * checked and records its hash (adopt-source-object.ts).
 */
export async function ingestImage(deps: EngineDeps, input: { imageId: number; runId?: string }): Promise<IngestResult> {
  const found = await deps.db.image.findUnique({ where: { id: input.imageId } });
  if (!found) {
    if (input.runId) await deps.db.$transaction((tx) => completeRunItem(deps, tx, { runId: input.runId!, imageId: input.imageId, outcome: 'failed', error: 'image was deleted' }));
    return { imageId: input.imageId, status: 'missing' };
  }
  let image: Image = found;
  // a local file (the stored one, or a cached download from object storage): originals can be
  // hundreds of megabytes, so they are hashed as a stream and decoded from disk, never buffered whole
  const inPlace = parseSourceBlobKey(image.blobKey) !== null;
  const source = inPlace ? sourceName(image.blobKey) : undefined;
  const unread = isUnreadSource(image.contentHash);
  let file: string;
  try {
    if (unread) {
      const stat = await deps.blobs.stat(image.blobKey);
      const refused = stat ? refuseBySize(deps, image, stat.size) : null;
      if (refused) return fail(deps, input, refused, source);
    }
    file = await deps.blobs.localPath(image.blobKey);
  } catch (error) {
    if (error instanceof BlobNotFoundError) {
      return fail(deps, input, inPlace ? `the object ${source} is missing (deleted or moved${unread ? '' : ' since it was registered'}); put it back, or register its new key` : `the stored original ${image.blobKey} is missing`, source);
    }
    if (error instanceof SourceAccessDeniedError) return fail(deps, input, error.message, source);
    throw error;
  }
  const hash = createHash('sha256');
  let byteCount = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    byteCount += (chunk as Buffer).length;
  }
  const sha = hash.digest('hex');
  if (unread) {
    const adopted = await adoptSourceObject(deps, input, image, file, sha, byteCount);
    if (adopted.kind === 'refused') return fail(deps, input, adopted.reason, source);
    if (adopted.kind === 'duplicate') return { imageId: image.id, status: 'duplicate' };
    image = adopted.image;
  } else if (sha !== image.contentHash) {
    return fail(deps, input, inPlace ? `the object ${source} changed since it was registered (its bytes no longer match); register it again to take its current bytes` : `the stored original does not match its hash (${sha} ≠ ${image.contentHash})`, source);
  }

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
    return fail(deps, input, `the image cannot be decoded: ${(error as Error).message}`, source);
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

async function fail(deps: EngineDeps, input: { imageId: number; runId?: string }, reason: string, source?: string): Promise<never> {
  await deps.db.$transaction(async (tx) => {
    await tx.image.update({ where: { id: input.imageId }, data: { status: 'failed', error: reason } });
    const counted = input.runId ? await completeRunItem(deps, tx, { runId: input.runId, imageId: input.imageId, outcome: 'failed', error: reason }) : false;
    // a registration lists which objects failed and why in its result
    if (counted && source) await noteSourceError(tx, input.runId!, { key: source, error: reason });
  });
  throw new PermanentJobError(`image ${input.imageId}: ${reason}`);
}
