import type { Readable } from 'node:stream';
import { AppError, type SplitChoice, type UploadResultDto } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import { BlobTooLargeError, contentKey } from '@dataengine/storage';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { addRunItems, recordRefusedUpload, shrinkRunTotal } from '../runs/runs';
import { splitOf } from './held-out-split';
import { toImageDto } from './image-dto';
import { sniffImageFormat, validateImageFile } from './image-format';

export interface UploadImageInput {
  projectId: string;
  fileName: string;
  body: Readable;
  /** Ingest run this upload belongs to (a user-visible batch), if any. */
  runId?: string;
  /** train, val, or auto (default): the project's val share by content hash (held-out-split.ts). */
  split?: SplitChoice;
}

/**
 * Streams an upload into staging, proves it is an intact image within the limits, stores it
 * content-addressed, records it (deduplicated by hash within the project) and queues ingest.
 * Nothing is stored when the file is refused.
 */
export async function uploadImage(deps: EngineDeps, actor: Actor, input: UploadImageInput): Promise<UploadResultDto> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'images.upload');
  if (input.runId) await assertIngestRun(deps, input.runId, input.projectId);
  const fileName = sanitiseFileName(input.fileName);

  let staged;
  try {
    staged = await deps.blobs.stage(input.body, { maxBytes: deps.settings.UPLOAD_MAX_BYTES });
  } catch (error) {
    if (error instanceof BlobTooLargeError) {
      const refused = new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${deps.settings.UPLOAD_MAX_BYTES} bytes; upload a smaller image`);
      if (input.runId) await recordRefusedUpload(deps, input.runId, fileName, refused.message);
      throw refused;
    }
    throw error;
  }
  try {
    if (staged.size === 0) throw new AppError('BAD_REQUEST', 'the upload is empty; send the image bytes as the request body');
    const existing = await deps.db.image.findUnique({ where: { projectId_contentHash: { projectId: project.id, contentHash: staged.sha256 } } });
    if (existing) {
      // the same bytes again: an image whose ingest failed (a lost or damaged original) gets them
      // back and is ingested again; otherwise the copy is not needed
      if (existing.status === 'failed') await staged.commit(existing.blobKey);
      else await staged.discard();
      await queueIngest(deps, existing.id, existing.status, input.runId);
      return { image: toImageDto(existing), duplicate: true };
    }
    const format = await sniffImageFormat(staged.path);
    const { width, height } = await validateImageFile(staged.path, deps.settings.UPLOAD_MAX_PIXELS);
    const blobKey = contentKey('images', staged.sha256, format.ext);
    await staged.commit(blobKey);
    const { row: image, duplicate } = await insertImage(deps, {
      projectId: project.id,
      contentHash: staged.sha256,
      blobKey,
      fileName,
      mime: format.mime,
      byteSize: staged.size,
      width,
      height,
      split: splitOf(input.split, staged.sha256, await projectValShare(deps, project.id)),
      uploadedById: actor.id,
    });
    await queueIngest(deps, image.id, image.status, input.runId);
    return { image: toImageDto(image), duplicate };
  } catch (error) {
    await staged.discard();
    if (input.runId && error instanceof AppError && error.httpStatus < 500) {
      await recordRefusedUpload(deps, input.runId, fileName, error.message);
    }
    throw error;
  }
}

async function projectValShare(deps: EngineDeps, projectId: string): Promise<number> {
  return (await deps.db.project.findUniqueOrThrow({ where: { id: projectId }, select: { valShare: true } })).valShare;
}

type NewImage = Prisma.ImageUncheckedCreateInput & { projectId: string; contentHash: string };

/** Inserts the image and counts it; a concurrent upload of the same bytes wins the race harmlessly. */
async function insertImage(deps: EngineDeps, data: NewImage) {
  try {
    const row = await deps.db.$transaction(async (tx) => {
      const created = await tx.image.create({ data });
      await tx.stageCounter.upsert({
        where: { projectId_stage: { projectId: data.projectId, stage: 'assisted_manual' } },
        create: { projectId: data.projectId, stage: 'assisted_manual', imagesTotal: 1 },
        update: { imagesTotal: { increment: 1 } },
      });
      return created;
    });
    return { row, duplicate: false };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const row = await deps.db.image.findUniqueOrThrow({ where: { projectId_contentHash: { projectId: data.projectId, contentHash: data.contentHash } } });
      return { row, duplicate: true };
    }
    throw error;
  }
}

async function queueIngest(deps: EngineDeps, imageId: number, status: string, runId: string | undefined): Promise<void> {
  if (runId && (await addRunItems(deps, runId, [imageId])) === 0) {
    await shrinkRunTotal(deps, runId); // the batch already holds these bytes
    return;
  }
  if (!runId && status === 'ready') return;
  try {
    await deps.jobs.enqueue('ingest', { imageId, ...(runId ? { runId } : {}) });
  } catch (error) {
    // the caller hears "not queued" (503) and sends the file again: the batch must take it again
    // then, not count it as a duplicate. The image itself stays pending; the run sweep queues
    // its ingest if the file is never sent again.
    if (runId) await deps.db.runItem.deleteMany({ where: { runId, imageId, status: 'pending' } });
    throw error;
  }
}

async function assertIngestRun(deps: EngineDeps, runId: string, projectId: string): Promise<void> {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { kind: true, projectId: true, status: true } });
  if (!run || run.projectId !== projectId || run.kind !== 'ingest') {
    throw new AppError('BAD_REQUEST', `run ${runId} is not an ingest run of this project; start an upload batch first`);
  }
  if (run.status === 'cancelled') throw new AppError('CONFLICT', `upload batch ${runId} was cancelled`);
}

function sanitiseFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
   
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'image';
}
