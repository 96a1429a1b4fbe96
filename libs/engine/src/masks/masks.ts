// Masks as annotators save, fix and delete them. Stored canonical as COCO compressed RLE with
// area and SAM-convention bbox computed from the runs; counters move in the same transaction.
import { MASK_MAX_RLE_BYTES_DEFAULT } from '@dataengine/config';
import { AppError, type MaskDto, type SaveMaskInput, type Stage } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import {
  assertRleSize,
  canonicalRunCounts,
  compressRle,
  maxCanonicalRuns,
  maxCompressedRleLength,
  rleArea,
  rleFromString,
  rleToBboxSam,
  RleError,
  type CompressedRle,
  type RleSize,
} from '@dataengine/segment';
import { nowOf, type EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { requireMaskEdit } from '../access/mask-access';
import { recordMaskCounters } from './mask-counters';
import { checkRetrainScheduleAfterSave } from '../loop/retrain-schedule';
import { resolveMaskLabel } from '../labels/labels';

/** What every mask query that answers a MaskDto includes: the label's name and colour. */
export const MASK_DTO_INCLUDE = { label: { select: { id: true, name: true, color: true } } } as const;
type MaskRow = Prisma.MaskGetPayload<{ include: typeof MASK_DTO_INCLUDE }>;

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
    labelId: row.labelId,
    label: row.label,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Validates an RLE against the image it belongs to, stores it canonical and derives area and bbox.
 *
 * Bounds come first, before anything reads the string: at most `maxRleBytes` characters
 * (MASK_MAX_RLE_BYTES) and no more than a canonical RLE of the image can need. Decoding then checks
 * the characters, the run count (at most one run per pixel plus the leading empty one: more means
 * padding) and the total. Empty runs inside the list are merged (`[a, 0, b]` is `[a + b]`: the same
 * pixels, as other COCO tools may write them), so every stored mask is canonical — the string
 * `encodeMask` / pycocotools would write for its pixels.
 */
export function measureSegmentation(segmentation: unknown, image: { width: number; height: number }, maxRleBytes = MASK_MAX_RLE_BYTES_DEFAULT) {
  const [h, w] = rleSizeOf(segmentation);
  if (h !== image.height || w !== image.width) {
    throw new AppError('BAD_REQUEST', `the mask is ${w}×${h} but the image is ${image.width}×${image.height}; masks must cover the whole image`);
  }
  const counts = (segmentation as { counts: unknown }).counts;
  if (typeof counts !== 'string') throw new AppError('BAD_REQUEST', 'the mask is not a valid COCO RLE: counts must be the compressed string');
  if (counts.length > maxRleBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `the mask's RLE is ${counts.length} characters; at most ${maxRleBytes} are accepted (MASK_MAX_RLE_BYTES). Save it in parts, or smooth it (brush) so it has fewer runs`);
  }
  if (counts.length > maxCompressedRleLength([h, w])) {
    throw new AppError('BAD_REQUEST', `the mask's RLE is ${counts.length} characters, longer than any mask of a ${w}×${h} image can be (${maxCompressedRleLength([h, w])}); it is padded or corrupt`);
  }
  let runs: number[];
  try {
    runs = rleFromString(counts);
  } catch (error) {
    if (error instanceof RleError) throw new AppError('BAD_REQUEST', `the mask is not a valid COCO RLE: ${error.message}`);
    throw error;
  }
  if (runs.length > maxCanonicalRuns([h, w])) {
    throw new AppError('BAD_REQUEST', `the mask's RLE has ${runs.length} runs but a ${w}×${h} image has only ${h * w} pixels (at most ${maxCanonicalRuns([h, w])} runs); it is padded with empty runs`);
  }
  let canonical: CompressedRle;
  try {
    canonical = compressRle({ size: [h, w], counts: [...canonicalRunCounts(runs)] });
  } catch (error) {
    if (error instanceof RleError) throw new AppError('BAD_REQUEST', `the mask is not a valid COCO RLE: ${error.message}`);
    throw error;
  }
  const area = rleArea(canonical);
  if (area === 0) throw new AppError('BAD_REQUEST', 'the mask is empty; nothing to save');
  const [x, y, bw, bh] = rleToBboxSam(canonical);
  return { rleCounts: canonical.counts, rleHeight: h, rleWidth: w, area, bboxX: x, bboxY: y, bboxW: bw, bboxH: bh };
}

/** `[h, w]` of an RLE-shaped value, or a BAD_REQUEST saying what is wrong with it (nothing is decoded). */
function rleSizeOf(segmentation: unknown): RleSize {
  try {
    if (typeof segmentation !== 'object' || segmentation === null || Array.isArray(segmentation)) throw new RleError('an RLE must be an object { size, counts }');
    return assertRleSize((segmentation as { size?: unknown }).size);
  } catch (error) {
    if (error instanceof RleError) throw new AppError('BAD_REQUEST', `the mask is not a valid COCO RLE: ${error.message}`);
    throw error;
  }
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
    const existing = await deps.db.mask.findUnique({ where: { imageId_clientKey: { imageId: image.id, clientKey: input.clientKey } }, include: MASK_DTO_INCLUDE });
    if (existing) return toMaskDto(existing);
  }
  const measured = measureSegmentation(input.segmentation, image, deps.settings.MASK_MAX_RLE_BYTES);
  const labelId = await resolveMaskLabel(deps.db, image.projectId, input.labelId);
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
          labelId,
        },
        include: MASK_DTO_INCLUDE,
      });
      await recordMaskCounters(tx, { projectId: image.projectId, stage, provenance: 'manual', authorId: actor.id, checkpointId: input.checkpointId ?? null, day: nowOf(deps) }, { masks: 1, activeMs: input.activeMs, clicks: input.clicks });
      return created;
    });
    await checkRetrainScheduleAfterSave(deps, image.projectId);
    return toMaskDto(row);
  } catch (error) {
    if (input.clientKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return toMaskDto(await deps.db.mask.findUniqueOrThrow({ where: { imageId_clientKey: { imageId: image.id, clientKey: input.clientKey } }, include: MASK_DTO_INCLUDE }));
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
  input: { maskId: string; version: number; segmentation: unknown; activeMs: number; clicks: number; pointCoords?: [number, number][]; labelId?: string | null },
): Promise<MaskDto> {
  const mask = await loadMask(deps, actor, input.maskId);
  const measured = measureSegmentation(input.segmentation, { width: mask.rleWidth, height: mask.rleHeight }, deps.settings.MASK_MAX_RLE_BYTES);
  const labelId = input.labelId === undefined ? undefined : await resolveMaskLabel(deps.db, mask.projectId, input.labelId);
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.mask.updateMany({
      where: { id: mask.id, version: input.version, deletedAt: null },
      data: {
        ...measured,
        version: { increment: 1 },
        activeMs: { increment: input.activeMs },
        clicks: { increment: input.clicks },
        ...(input.pointCoords ? { pointCoords: input.pointCoords } : {}),
        ...(labelId !== undefined ? { labelId } : {}),
        // the accept rates count a model's mask as kept only while nobody changed its pixels
        ...(measured.rleCounts !== mask.rleCounts ? { editedAt: nowOf(deps) } : {}),
      },
    });
    if (count === 0) throw conflict(await tx.mask.findUnique({ where: { id: mask.id }, include: MASK_DTO_INCLUDE }), 'edit');
    await recordMaskCounters(tx, { projectId: mask.projectId, stage: mask.stage, provenance: mask.provenance, authorId: actor.id, checkpointId: mask.checkpointId, day: nowOf(deps) }, { masks: 0, activeMs: input.activeMs, clicks: input.clicks });
    return toMaskDto(await tx.mask.findUniqueOrThrow({ where: { id: mask.id }, include: MASK_DTO_INCLUDE }));
  });
}

/**
 * Sets or clears a mask's label (whoever may edit the mask). The label is not the mask's pixels:
 * the version stays, so a touch-up in flight never conflicts with it; the last label set wins.
 */
export async function setMaskLabel(deps: EngineDeps, actor: Actor, input: { maskId: string; labelId: string | null }): Promise<MaskDto> {
  const mask = await loadMask(deps, actor, input.maskId);
  const labelId = await resolveMaskLabel(deps.db, mask.projectId, input.labelId);
  const { count } = await deps.db.mask.updateMany({ where: { id: mask.id, deletedAt: null }, data: { labelId } });
  if (count === 0) throw new AppError('CONFLICT', 'someone deleted this mask meanwhile; its label was not set');
  return toMaskDto(await deps.db.mask.findUniqueOrThrow({ where: { id: mask.id }, include: MASK_DTO_INCLUDE }));
}

/** Soft-deletes a mask (kept for audit and exports of history). */
export async function deleteMask(deps: EngineDeps, actor: Actor, input: { maskId: string; version: number }): Promise<void> {
  const mask = await loadMask(deps, actor, input.maskId);
  await deps.db.$transaction(async (tx) => {
    const { count } = await tx.mask.updateMany({ where: { id: mask.id, version: input.version, deletedAt: null }, data: { deletedAt: nowOf(deps), version: { increment: 1 } } });
    if (count === 0) throw conflict(await tx.mask.findUnique({ where: { id: mask.id }, include: MASK_DTO_INCLUDE }), 'delete');
    await recordMaskCounters(tx, { projectId: mask.projectId, stage: mask.stage, provenance: mask.provenance, authorId: null, checkpointId: mask.checkpointId, day: nowOf(deps) }, { masks: -1, activeMs: 0, clicks: 0 });
  });
}

export async function listMasks(deps: EngineDeps, actor: Actor, input: { imageId: number }): Promise<MaskDto[]> {
  const image = await deps.db.image.findUnique({ where: { id: input.imageId }, select: { projectId: true } });
  if (!image) throw new AppError('NOT_FOUND', `image ${input.imageId} does not exist`);
  await requireProject(deps.db, actor, image.projectId, 'project.view');
  const rows = await deps.db.mask.findMany({ where: { imageId: input.imageId, deletedAt: null }, orderBy: { id: 'asc' }, take: 5_000, include: MASK_DTO_INCLUDE });
  return rows.map(toMaskDto);
}
