// A project's label set: listed by everyone who sees the project, changed by its managers (the
// policy's labels.manage). Names are unique per project regardless of case; positions are kept
// 0..n-1 in the order the tool shows them. A label that masks carry is deleted only when the caller
// says what becomes of those masks — nobody's work loses its class by accident.
import {
  AppError,
  labelKey,
  MAX_LABELS_PER_PROJECT,
  nextLabelColor,
  type LabelDto,
  type createLabelInputSchema,
  type deleteLabelInputSchema,
  type reorderLabelsInputSchema,
  type updateLabelInputSchema,
} from '@dataengine/contracts';
import { Prisma, type Db } from '@dataengine/db';
import type { z } from 'zod';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';

type LabelRow = Prisma.LabelGetPayload<object>;

export function toLabelDto(row: LabelRow, maskCount: number | null = null): LabelDto {
  return { id: row.id, projectId: row.projectId, name: row.name, color: row.color, position: row.position, maskCount };
}

/** The project's labels in order; `withCounts` adds how many (non-deleted) masks carry each. */
export async function listLabels(deps: EngineDeps, actor: Actor, input: { projectId: string; withCounts?: boolean }): Promise<LabelDto[]> {
  await requireProject(deps.db, actor, input.projectId, 'project.view');
  const rows = await projectLabels(deps.db, input.projectId);
  if (!input.withCounts || rows.length === 0) return rows.map((row) => toLabelDto(row));
  const counts = await maskCounts(deps.db, rows.map((r) => r.id));
  return rows.map((row) => toLabelDto(row, counts.get(row.id) ?? 0));
}

export function projectLabels(db: Db | Prisma.TransactionClient, projectId: string): Promise<LabelRow[]> {
  return db.label.findMany({ where: { projectId }, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }] });
}

async function maskCounts(db: Db | Prisma.TransactionClient, labelIds: string[]): Promise<Map<string, number>> {
  const groups = await db.mask.groupBy({ by: ['labelId'], where: { labelId: { in: labelIds }, deletedAt: null }, _count: { _all: true } });
  return new Map(groups.map((g) => [g.labelId!, g._count._all]));
}

const nameTaken = (name: string) => new AppError('CONFLICT', `the project already has a label called "${name}" (names are unique regardless of case); choose another name`);

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

export async function createLabel(deps: EngineDeps, actor: Actor, input: z.output<typeof createLabelInputSchema>): Promise<LabelDto> {
  await requireProject(deps.db, actor, input.projectId, 'labels.manage');
  try {
    const row = await deps.db.$transaction(async (tx) => {
      // one change of the set at a time (positions stay 0..n-1; see ensureLabels)
      await tx.$queryRaw`SELECT "id" FROM "projects" WHERE "id" = ${input.projectId}::uuid FOR UPDATE`;
      const existing = await projectLabels(tx, input.projectId);
      if (existing.length >= MAX_LABELS_PER_PROJECT) {
        throw new AppError('CONFLICT', `a project has at most ${MAX_LABELS_PER_PROJECT} labels; delete or merge some first`);
      }
      const clash = existing.find((l) => l.nameKey === labelKey(input.name));
      if (clash) throw nameTaken(clash.name);
      return tx.label.create({
        data: {
          projectId: input.projectId,
          name: input.name,
          nameKey: labelKey(input.name),
          color: input.color ?? nextLabelColor(existing.map((l) => l.color)),
          position: existing.length,
        },
      });
    });
    return toLabelDto(row, 0);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

async function loadLabel(deps: EngineDeps, actor: Actor, labelId: string) {
  const label = await deps.db.label.findUnique({ where: { id: labelId } });
  if (!label) throw new AppError('NOT_FOUND', `label ${labelId} does not exist (it may have been deleted); reload the label set`);
  await requireProject(deps.db, actor, label.projectId, 'labels.manage');
  return label;
}

/** Renames and/or recolours a label (the masks carrying it keep it). */
export async function updateLabel(deps: EngineDeps, actor: Actor, input: z.output<typeof updateLabelInputSchema>): Promise<LabelDto> {
  const label = await loadLabel(deps, actor, input.labelId);
  try {
    const row = await deps.db.label.update({
      where: { id: label.id },
      data: {
        ...(input.name !== undefined ? { name: input.name, nameKey: labelKey(input.name) } : {}),
        ...(input.color !== undefined ? { color: input.color } : {}),
      },
    });
    return toLabelDto(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name ?? label.name);
    throw error;
  }
}

/** Puts the whole label set in a new order (keys 1–9 follow it). */
export async function reorderLabels(deps: EngineDeps, actor: Actor, input: z.output<typeof reorderLabelsInputSchema>): Promise<LabelDto[]> {
  await requireProject(deps.db, actor, input.projectId, 'labels.manage');
  const rows = await deps.db.$transaction(async (tx) => {
    const current = await projectLabels(tx, input.projectId);
    const known = new Set(current.map((l) => l.id));
    const given = new Set(input.labelIds);
    if (given.size !== input.labelIds.length || given.size !== known.size || input.labelIds.some((id) => !known.has(id))) {
      throw new AppError('BAD_REQUEST', `a new order lists every label of the project exactly once (it has ${known.size}); reload the label set and try again`);
    }
    for (const [position, id] of input.labelIds.entries()) await tx.label.update({ where: { id }, data: { position } });
    return projectLabels(tx, input.projectId);
  });
  return rows.map((row) => toLabelDto(row));
}

export interface DeleteLabelResult {
  /** masks that carried the label: now unlabelled, or moved to `movedTo` */
  masks: number;
  movedTo: string | null;
}

/**
 * Deletes a label. While masks carry it the caller must say what becomes of them (`masksTo`):
 * unlabelled (`labelId: null`) or moved to another label of the project; without it the answer is
 * a 409 with the count. The label row is locked first, so a mask saved meanwhile with this label
 * either lands before the count or is refused (the label is gone) — never silently unlabelled.
 */
export async function deleteLabel(deps: EngineDeps, actor: Actor, input: z.output<typeof deleteLabelInputSchema>): Promise<DeleteLabelResult> {
  const label = await loadLabel(deps, actor, input.labelId);
  const target = input.masksTo?.labelId ?? null;
  if (target !== null) {
    if (target === label.id) throw new AppError('BAD_REQUEST', 'a label cannot hand its masks to itself; choose another label, or none');
    const other = await deps.db.label.findUnique({ where: { id: target }, select: { projectId: true } });
    if (!other || other.projectId !== label.projectId) throw new AppError('BAD_REQUEST', `label ${target} is not a label of this project; choose one of its labels, or none`);
  }
  return deps.db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "labels" WHERE "id" = ${label.id}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new AppError('NOT_FOUND', `label "${label.name}" was deleted meanwhile`);
    const carried = await tx.mask.count({ where: { labelId: label.id, deletedAt: null } });
    if (carried > 0 && input.masksTo === undefined) {
      throw new AppError(
        'CONFLICT',
        `${carried === 1 ? '1 mask carries' : `${carried} masks carry`} the label "${label.name}"; confirm that they become unlabelled, or move them to another label, to delete it`,
        { maskCount: carried },
      );
    }
    // deleted masks keep no label either (the foreign key would clear them anyway)
    await tx.mask.updateMany({ where: { labelId: label.id }, data: { labelId: target } });
    await tx.label.delete({ where: { id: label.id } });
    const rest = await projectLabels(tx, label.projectId);
    for (const [position, row] of rest.entries()) if (row.position !== position) await tx.label.update({ where: { id: row.id }, data: { position } });
    return { masks: carried, movedTo: target };
  });
}

/**
 * The label a mask of `projectId` may carry: null for none, else the label — which must belong to
 * that project (a 400 saying so otherwise).
 */
export async function resolveMaskLabel(db: Db | Prisma.TransactionClient, projectId: string, labelId: string | null | undefined): Promise<string | null> {
  if (labelId === null || labelId === undefined) return null;
  const label = await db.label.findUnique({ where: { id: labelId }, select: { projectId: true } });
  if (!label || label.projectId !== projectId) {
    throw new AppError('BAD_REQUEST', `label ${labelId} is not a label of this mask's project (it may have been deleted); pick one of the project's labels`);
  }
  return labelId;
}

/**
 * The project's labels for these names, creating the missing ones at the end of the set (an
 * import's categories): existing labels are matched by name regardless of case and keep their
 * colour; new ones take the colour asked for, else the palette's next. Returns name key → label id
 * and the names it created.
 */
export async function ensureLabels(db: Db, projectId: string, wanted: readonly { name: string; color: string | null }[]): Promise<{ ids: Map<string, string>; created: string[] }> {
  return db.$transaction(async (tx) => {
    // one import at a time extends a project's set (a second waits here instead of clashing on positions)
    await tx.$queryRaw`SELECT "id" FROM "projects" WHERE "id" = ${projectId}::uuid FOR UPDATE`;
    const existing = await projectLabels(tx, projectId);
    const ids = new Map(existing.map((l) => [l.nameKey, l.id]));
    const colors = existing.map((l) => l.color);
    const created: string[] = [];
    for (const { name, color } of wanted) {
      const key = labelKey(name);
      if (ids.has(key)) continue;
      if (ids.size >= MAX_LABELS_PER_PROJECT) throw new AppError('CONFLICT', `the project would have more than ${MAX_LABELS_PER_PROJECT} labels; delete or merge some first`);
      const row = await tx.label.create({ data: { projectId, name, nameKey: key, color: color ?? nextLabelColor(colors), position: existing.length + created.length } });
      colors.push(row.color);
      ids.set(key, row.id);
      created.push(name);
    }
    return { ids, created };
  });
}
