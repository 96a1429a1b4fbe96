// The held-out set an evaluation scores both checkpoints on — the project's val images (fixed at
// upload: held-out-split.ts) with accepted masks — and its ground truth as libs/segment's EvalScene
// (image pixels + the accepted masks, decoded).
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { AppError, type EvaluationSetDto } from '@dataengine/contracts';
import { decodeRle, EVAL_MIN_OBJECT_AREA, type EvalScene } from '@dataengine/segment';
import type { Prisma } from '@dataengine/db';
import type { CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { waitOutOutage } from '../infrastructure-outage';
import { datasetMaskWhere } from '../exchange/sa1b-dataset';

export interface EvaluationSet extends EvaluationSetDto {
  imageIds: number[];
  /** val images of the project with accepted masks (before exclusions and the cap) */
  valImages: number;
  /** names of the checkpoints whose training snapshot held excluded images */
  excludedBecause: string[];
}

/**
 * The masks an evaluation scores: the training selection (what a person accepted) that is large
 * enough to be a click target (smaller objects are skipped by evaluateBundle anyway).
 */
export function evaluationMaskWhere(projectId: string): Prisma.MaskWhereInput {
  return { ...datasetMaskWhere(projectId), area: { gte: EVAL_MIN_OBJECT_AREA } };
}

/**
 * The project's val images with accepted masks, first `maxImages` by id, minus any image one of
 * `trainedOn` had in the train split of its snapshot (an image moved to val after a retrain). The
 * id hashes the images and their masks (id and version), so the same set gives the same id and an
 * edited ground truth a new one.
 */
export async function evaluationSet(deps: EngineDeps, projectId: string, options: { maxImages: number; trainedOn?: CheckpointRow[] }): Promise<EvaluationSet> {
  const maskWhere = evaluationMaskWhere(projectId);
  const val = await deps.db.image.findMany({
    where: { projectId, split: 'val', status: 'ready', masks: { some: maskWhere } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const trained = new Map<number, string>();
  for (const checkpoint of options.trainedOn ?? []) {
    if (!checkpoint.snapshotKey) continue;
    for (const id of await readSnapshotTrain(deps, checkpoint.snapshotKey)) trained.set(id, checkpoint.name);
  }
  const kept = val.filter((im) => !trained.has(im.id));
  const excluded = val.filter((im) => trained.has(im.id));
  const imageIds = kept.slice(0, options.maxImages).map((im) => im.id);
  const masks = imageIds.length
    ? await deps.db.mask.findMany({ where: { ...maskWhere, imageId: { in: imageIds } }, select: { id: true, version: true, imageId: true }, orderBy: [{ imageId: 'asc' }, { id: 'asc' }] })
    : [];
  const hash = createHash('sha256');
  hash.update(`images:${imageIds.join(',')}\n`);
  for (const m of masks) hash.update(`${m.imageId}:${m.id}:${m.version}\n`);
  return {
    id: `set:${hash.digest('hex').slice(0, 12)}`,
    imageIds,
    images: imageIds.length,
    masks: masks.length,
    excludedImages: excluded.length,
    excludedBecause: [...new Set(excluded.map((im) => trained.get(im.id)!))],
    valImages: val.length,
  };
}

/**
 * Refuses a set too small to decide anything on, saying what to do. Called when an evaluate run is
 * asked for (no run, no job) and again by the job (the masks may have changed since).
 */
export function assertEnoughHeldOut(set: EvaluationSet, minMasks: number): void {
  if (set.masks >= minMasks) return;
  const excluded = set.excludedImages
    ? ` (${set.excludedImages} val image${set.excludedImages === 1 ? ' is' : 's are'} left out because ${set.excludedBecause.join(' and ')} trained on ${set.excludedImages === 1 ? 'it' : 'them'})`
    : '';
  if (set.images === 0) {
    throw new AppError(
      'CONFLICT',
      `evaluate needs a held-out set, and this project has no val images with accepted masks${excluded}; mark images as val on the project page (or upload them with the held-out set "val" or "auto") and annotate them — at least ${minMasks} masks (EVAL_MIN_MASKS)`,
    );
  }
  throw new AppError(
    'CONFLICT',
    `the held-out set has ${set.masks} annotated mask${set.masks === 1 ? '' : 's'} on ${set.images} val image${set.images === 1 ? '' : 's'}${excluded}; evaluate needs at least ${minMasks} (EVAL_MIN_MASKS) to tell two checkpoints apart — annotate more of the project's val images or mark more images as val on the project page`,
  );
}

async function readSnapshotTrain(deps: EngineDeps, snapshotKey: string): Promise<number[]> {
  try {
    const split = JSON.parse((await deps.blobs.get(`${snapshotKey}/split.json`)).toString('utf8')) as { train?: unknown };
    return Array.isArray(split.train) ? split.train.filter((v): v is number => typeof v === 'number') : [];
  } catch (error) {
    deps.logger.warn('a checkpoint snapshot split is unreadable; its images are not excluded from the held-out set', { snapshotKey, error });
    return [];
  }
}

/**
 * One image at a time (decoded pixels + masks), so memory stays flat over many images. Reading an
 * image waits out an outage of the database or the store (the scoring so far is kept).
 */
export async function* evalScenes(deps: EngineDeps, projectId: string, imageIds: readonly number[], beforeEach?: () => Promise<void>): AsyncGenerator<EvalScene> {
  for (const id of imageIds) {
    await beforeEach?.();
    yield await waitOutOutage(deps, `read held-out image ${id}`, () => readEvalScene(deps, projectId, id), { imageId: id });
  }
}

async function readEvalScene(deps: EngineDeps, projectId: string, id: number): Promise<EvalScene> {
  const image = await deps.db.image.findUniqueOrThrow({ where: { id }, select: { id: true, blobKey: true } });
  const masks = await deps.db.mask.findMany({ where: { ...evaluationMaskWhere(projectId), imageId: id }, select: { rleCounts: true, rleHeight: true, rleWidth: true }, orderBy: { id: 'asc' } });
  // the pixels annotators and the encoder see (embed-image.ts)
  const { data, info } = await sharp(await deps.blobs.localPath(image.blobKey), { limitInputPixels: false }).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    id,
    image: { width: info.width, height: info.height, channels: 3, data },
    // no part hierarchy is stored, so every mask is a detector target (as the trainer does without tree files)
    objects: masks.map((m) => ({ mask: decodeRle({ size: [m.rleHeight, m.rleWidth], counts: m.rleCounts }), whole: true })),
  };
}
