// Ingest's first read of an image registered in place: the object's bytes are checked the way an
// upload's are (size, format, an intact decode within the pixel limit), then its hash, format,
// size and split go on the image row. An object holding the same bytes as an image the project
// already has is a duplicate: its row is removed and its run expects one image fewer, as an upload
// batch does for a file it already had.
import { AppError, registerParamsSchema } from '@dataengine/contracts';
import { Prisma, type Image } from '@dataengine/db';
import { parseSourceBlobKey } from '@dataengine/storage';
import type { EngineDeps } from '../engine-deps';
import { addRunCounts, finishRunIfComplete } from '../runs/runs';
import { splitOf } from './held-out-split';
import { sniffImageFormat, validateImageFile, ACCEPTED_FORMATS } from './image-format';

export type AdoptOutcome = { kind: 'adopted'; image: Image } | { kind: 'refused'; reason: string } | { kind: 'duplicate'; of: number };

/** "s3://bucket/key" of an image registered in place (its blob key otherwise). */
export function sourceName(blobKey: string): string {
  const source = parseSourceBlobKey(blobKey);
  return source ? `s3://${source.bucket}/${source.key}` : blobKey;
}

/** Checked before the download: an object that is gone, empty or too large is not read at all. */
export function refuseBySize(deps: EngineDeps, image: Image, size: number): string | null {
  if (size === 0) return `the object ${sourceName(image.blobKey)} is empty; put the image's bytes there and register it again`;
  const max = deps.settings.UPLOAD_MAX_BYTES;
  if (size > max) return `the object ${sourceName(image.blobKey)} is ${size} bytes, above the limit of ${max} bytes; leave it out, or ask ops to raise UPLOAD_MAX_BYTES`;
  return null;
}

export async function adoptSourceObject(deps: EngineDeps, input: { imageId: number; runId?: string }, image: Image, file: string, sha256: string, size: number): Promise<AdoptOutcome> {
  const name = sourceName(image.blobKey);
  let format;
  let dims;
  try {
    format = await sniffImageFormat(file);
    dims = await validateImageFile(file, deps.settings.UPLOAD_MAX_PIXELS);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const detail = typeof error.details?.['detail'] === 'string' ? ` (${error.details['detail']})` : '';
    if (error.code === 'UNSUPPORTED_MEDIA_TYPE') return { kind: 'refused', reason: `the object ${name} is not an image we can read${detail}; only ${ACCEPTED_FORMATS} objects can be registered` };
    if (error.details?.['maxPixels'] !== undefined) return { kind: 'refused', reason: `the object ${name}: ${error.message}` };
    return { kind: 'refused', reason: `the object ${name} is damaged or truncated${detail}; replace it in the bucket and register it again` };
  }
  const twin = await deps.db.image.findUnique({ where: { projectId_contentHash: { projectId: image.projectId, contentHash: sha256 } }, select: { id: true } });
  if (twin) return dropDuplicate(deps, input, image, twin.id);
  try {
    const adopted = await deps.db.image.update({
      where: { id: image.id },
      data: { contentHash: sha256, mime: format.mime, byteSize: size, width: dims.width, height: dims.height, split: await splitFor(deps, input.runId, image, sha256) },
    });
    return { kind: 'adopted', image: adopted };
  } catch (error) {
    // the same bytes arrived under another key (or as an upload) a moment ago
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const other = await deps.db.image.findUniqueOrThrow({ where: { projectId_contentHash: { projectId: image.projectId, contentHash: sha256 } }, select: { id: true } });
      return dropDuplicate(deps, input, image, other.id);
    }
    throw error;
  }
}

/** The registration's split choice: train or val as asked, auto by the project's val share and the content hash. */
async function splitFor(deps: EngineDeps, runId: string | undefined, image: Image, sha256: string): Promise<'train' | 'val'> {
  if (!runId) return image.split;
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { params: true } });
  const params = registerParamsSchema.safeParse(run?.params);
  if (!params.success) return image.split;
  const { valShare } = await deps.db.project.findUniqueOrThrow({ where: { id: image.projectId }, select: { valShare: true } });
  return splitOf(params.data.split, sha256, valShare);
}

async function dropDuplicate(deps: EngineDeps, input: { runId?: string }, image: Image, of: number): Promise<AdoptOutcome> {
  await deps.db.$transaction(async (tx) => {
    const item = input.runId ? await tx.runItem.findUnique({ where: { runId_imageId: { runId: input.runId, imageId: image.id } }, select: { status: true } }) : null;
    const { count } = await tx.image.deleteMany({ where: { id: image.id } }); // its run items go with it
    if (count === 0) return;
    await tx.stageCounter.updateMany({ where: { projectId: image.projectId, stage: 'assisted_manual', imagesTotal: { gt: 0 } }, data: { imagesTotal: { decrement: 1 } } });
    if (input.runId && item?.status === 'pending') {
      await tx.run.update({ where: { id: input.runId }, data: { total: { decrement: 1 } } });
      await addRunCounts(tx, input.runId, { duplicates: 1 });
      await finishRunIfComplete(deps, tx, input.runId);
    }
  });
  deps.logger.info('registered object holds an image the project already has', { imageId: image.id, duplicateOf: of, source: sourceName(image.blobKey) });
  return { kind: 'duplicate', of };
}

/** Failed objects a registration's result names (the rest are counted; each image row keeps its own error). */
export const SOURCE_ERRORS_KEPT = 50;

/** Adds a failed object to its run's result (inside the transaction that counted it: the run row is locked). */
export async function noteSourceError(tx: Prisma.TransactionClient, runId: string, entry: { key: string; error: string }): Promise<void> {
  const row = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { result: true } });
  const result = (row.result ?? {}) as Record<string, unknown>;
  const errors = Array.isArray(result['errors']) ? (result['errors'] as unknown[]) : [];
  if (errors.length >= SOURCE_ERRORS_KEPT) return;
  await tx.run.update({ where: { id: runId }, data: { result: { ...result, errors: [...errors, entry] } as Prisma.InputJsonValue } });
}
