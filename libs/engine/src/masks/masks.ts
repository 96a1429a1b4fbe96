// Masks as annotators save, fix and delete them. Stored canonically as COCO compressed RLE with
// area and SAM-convention bbox computed from the runs; counters move in the same transaction.
import { AppError, type MaskDto, type SaveMaskInput, type Stage } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import { parseCompressedRle, rleArea, rleToBboxSam, RleError, toUncompressedRle, type CompressedRle } from '@dataengine/segment';
import { nowOf, type EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { requireMaskEdit } from '../access/mask-access';
import { recordMaskCounters } from './mask-counters';
import { checkRetrainScheduleAfterSave } from '../loop/retrain-schedule';

type MaskRow = Prisma.MaskGetPayload<object>;

export function toMaskDto(row: MaskRow): MaskDto {
  return {
    id: row.id.toString(),
    imageId: row.imageId,
    stage: row.stage,
    provenance: row.provenance,
    segmentation: { size: [row.rleHeight, row.rleWidth], counts: row.rleCounts },
    bbox: [row.bboxX, row.bboxY, row.bboxW, row.bboxH],
    area: row.area,
    predictedIou: row.predictedIou,
    stabilityScore: row.stabilityScore,
    pointCoords: (row.pointCoords as [number, number][] | null) ?? null,
    checkpointId: row.checkpointId,
    authorId: row.authorId,
    activeMs: row.activeMs,
    clicks: row.clicks,
    clientKey: row.clientKey,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Validates an RLE against the image it belongs to and derives area and bbox from it. */
export function measureSegmentation(segmentation: unknown, image: { width: number; height: number }) {
  let rle: CompressedRle;
  try {
    rle = parseCompressedRle(segmentation);
    toUncompressedRle(rle); // decodes the string: catches bad characters and wrong totals
  } catch (error) {
    if (error instanceof RleError) throw new AppError('BAD_REQUEST', `the mask is not a valid COCO RLE: ${error.message}`);
    throw error;
  }
  const [h, w] = rle.size;
  if (h !== image.height || w !== image.width) {
    throw new AppError('BAD_REQUEST', `the mask is ${w}×${h} but the image is ${image.width}×${image.height}; masks must cover the whole image`);
  }
  const area = rleArea(rle);
  if (area === 0) throw new AppError('BAD_REQUEST', 'the mask is empty; nothing to save');
  const [x, y, bw, bh] = rleToBboxSam(rle);
  return { rleCounts: rle.counts, rleHeight: h, rleWidth: w, area, bboxX: x, bboxY: y, bboxW: bw, bboxH: bh };
}

async function imageForAnnotation(deps: EngineDeps, actor: Actor, imageId: number) {
  const image = await deps.db.image.findUnique({ where: { id: imageId }, select: { id: true, projectId: true, width: true, height: true, status: true } });
  if (!image) throw new AppError('NOT_FOUND', `image ${imageId} does not exist`);
  const { project } = await requireProject(deps.db, actor, image.projectId, 'project.annotate');
  return { image, stage: project.stage as Stage };
}

/** Saves an accepted mask. Re-sending the same clientKey returns the mask saved the first time. */
export async function saveMask(deps: EngineDeps, actor: Actor, input: SaveMaskInput): Promise<MaskDto> {
  const { image, stage } = await imageForAnnotation(deps, actor, input.imageId);
  if (input.clientKey) {
    const existing = await deps.db.mask.findUnique({ where: { imageId_clientKey: { imageId: image.id, clientKey: input.clientKey } } });
    if (existing) return toMaskDto(existing);
  }
  const measured = measureSegmentation(input.segmentation, image);
  const task = await deps.db.task.findUnique({ where: { imageId_stage: { imageId: image.id, stage } }, select: { id: true } });
  try {
    const row = await deps.db.$transaction(async (tx) => {
      const created = await tx.mask.create({
        data: {
          ...measured,
          projectId: image.projectId,
          imageId: image.id,
          taskId: task?.id ?? null,
          stage,
          provenance: 'manual',
          checkpointId: input.checkpointId ?? null,
          predictedIou: input.predictedIou ?? null,
          stabilityScore: input.stabilityScore ?? null,
          pointCoords: input.pointCoords ?? Prisma.DbNull,
          authorId: actor.id,
          activeMs: input.activeMs,
          clicks: input.clicks,
          clientKey: input.clientKey ?? null,
        },
      });
      await recordMaskCounters(tx, { projectId: image.projectId, stage, provenance: 'manual', authorId: actor.id, checkpointId: input.checkpointId ?? null, day: nowOf(deps) }, { masks: 1, activeMs: input.activeMs, clicks: input.clicks });
      return created;
    });
    await checkRetrainScheduleAfterSave(deps, image.projectId);
    return toMaskDto(row);
  } catch (error) {
    if (input.clientKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return toMaskDto(await deps.db.mask.findUniqueOrThrow({ where: { imageId_clientKey: { imageId: image.id, clientKey: input.clientKey } } }));
    }
    throw error;
  }
}

async function loadMask(deps: EngineDeps, actor: Actor, maskId: string) {
  const mask = await deps.db.mask.findUnique({ where: { id: BigInt(maskId) } });
  if (!mask || mask.deletedAt) throw new AppError('NOT_FOUND', `mask ${maskId} does not exist (or was deleted)`);
  // annotators change their own masks, and the model's on the image they hold; managers any
  await requireMaskEdit(deps.db, actor, mask);
  return mask;
}

function conflict(current: MaskRow | null, action: string): AppError {
  if (!current || current.deletedAt) return new AppError('CONFLICT', `someone deleted this mask before your ${action}; your version was not saved — save it again as a new mask`);
  return new AppError('CONFLICT', `someone changed this mask before your ${action} (now at version ${current.version}); your edit was not applied — reload it and redo the change`, { currentVersion: current.version, current: toMaskDto(current) });
}

/** Replaces a mask's pixels (brush, eraser, re-prompt). Optimistic concurrency on `version`. */
export async function updateMask(
  deps: EngineDeps,
  actor: Actor,
  input: { maskId: string; version: number; segmentation: unknown; activeMs: number; clicks: number; pointCoords?: [number, number][] },
): Promise<MaskDto> {
  const mask = await loadMask(deps, actor, input.maskId);
  const measured = measureSegmentation(input.segmentation, { width: mask.rleWidth, height: mask.rleHeight });
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.mask.updateMany({
      where: { id: mask.id, version: input.version, deletedAt: null },
      data: {
        ...measured,
        version: { increment: 1 },
        activeMs: { increment: input.activeMs },
        clicks: { increment: input.clicks },
        ...(input.pointCoords ? { pointCoords: input.pointCoords } : {}),
      },
    });
    if (count === 0) throw conflict(await tx.mask.findUnique({ where: { id: mask.id } }), 'edit');
    await recordMaskCounters(tx, { projectId: mask.projectId, stage: mask.stage, provenance: mask.provenance, authorId: actor.id, checkpointId: mask.checkpointId, day: nowOf(deps) }, { masks: 0, activeMs: input.activeMs, clicks: input.clicks });
    return toMaskDto(await tx.mask.findUniqueOrThrow({ where: { id: mask.id } }));
  });
}

/** Soft-deletes a mask (kept for audit and exports of history). */
export async function deleteMask(deps: EngineDeps, actor: Actor, input: { maskId: string; version: number }): Promise<void> {
  const mask = await loadMask(deps, actor, input.maskId);
  await deps.db.$transaction(async (tx) => {
    const { count } = await tx.mask.updateMany({ where: { id: mask.id, version: input.version, deletedAt: null }, data: { deletedAt: nowOf(deps), version: { increment: 1 } } });
    if (count === 0) throw conflict(await tx.mask.findUnique({ where: { id: mask.id } }), 'delete');
    await recordMaskCounters(tx, { projectId: mask.projectId, stage: mask.stage, provenance: mask.provenance, authorId: null, checkpointId: mask.checkpointId, day: nowOf(deps) }, { masks: -1, activeMs: 0, clicks: 0 });
  });
}

export async function listMasks(deps: EngineDeps, actor: Actor, input: { imageId: number }): Promise<MaskDto[]> {
  const image = await deps.db.image.findUnique({ where: { id: input.imageId }, select: { projectId: true } });
  if (!image) throw new AppError('NOT_FOUND', `image ${input.imageId} does not exist`);
  await requireProject(deps.db, actor, image.projectId, 'project.view');
  const rows = await deps.db.mask.findMany({ where: { imageId: input.imageId, deletedAt: null }, orderBy: { id: 'asc' }, take: 5_000 });
  return rows.map(toMaskDto);
}
