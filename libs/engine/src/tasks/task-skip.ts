// The annotator's way out of and back to an image: skip (with a reason) and previous (re-open the
// image you submitted last, while nobody has reviewed it yet).
import { AppError, type SetAsideTaskDto, type Stage, type TaskDto } from '@dataengine/contracts';
import { nowOf, type EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { heldTask, toTaskDto } from './task-queue';

/**
 * After this many different annotators skipped an image it leaves the queue ("skipped") for a
 * manager to look at: an image nobody can annotate should not circle forever.
 */
export const SKIPS_TO_SET_ASIDE = 2;

/**
 * Gives the held image back with a reason. It returns to the pool for the other annotators — never
 * to this one again (the skip is recorded) — or, once SKIPS_TO_SET_ASIDE annotators skipped it, is
 * set aside (status "skipped") for the project's managers. Masks saved on it stay.
 */
export async function skipTask(deps: EngineDeps, actor: Actor, input: { taskId: string; reason: string }): Promise<{ task: TaskDto; setAside: boolean }> {
  const task = await heldTask(deps, actor, input.taskId);
  const reason = input.reason.trim();
  if (!reason) throw new AppError('BAD_REQUEST', 'say why you skip the image (e.g. "too blurry to tell the objects apart")');
  return deps.db.$transaction(async (tx) => {
    await tx.taskSkip.upsert({
      where: { taskId_userId: { taskId: task.id, userId: actor.id } },
      create: { taskId: task.id, userId: actor.id, reason },
      update: { reason, createdAt: nowOf(deps) },
    });
    const skips = await tx.taskSkip.count({ where: { taskId: task.id } });
    const setAside = skips >= SKIPS_TO_SET_ASIDE;
    const { count } = await tx.task.updateMany({
      where: { id: task.id, status: 'leased', assigneeId: actor.id },
      // an image a review returned to this annotator is theirs no more: the others may take it
      data: { status: setAside ? 'skipped' : 'open', assigneeId: null, leaseExpiresAt: null, reservedForId: null },
    });
    if (count === 0) throw new AppError('CONFLICT', 'this image is no longer yours to skip');
    return { task: toTaskDto(await tx.task.findUniqueOrThrow({ where: { id: task.id }, include: { image: true } })), setAside };
  });
}

/** A submitted task a reviewer accepted is done: "previous" no longer re-opens it (a pending review may still be withdrawn by re-opening). */
const NOT_REVIEWED = { reviews: { none: { status: 'accepted' as const } } };

/**
 * Re-opens the image the caller submitted last in the project's current stage, while it is not
 * reviewed (still "submitted"): it is leased to them again and counts as not done until submitted
 * again. Any other image they hold goes back to the queue (one image at a time). Null when there is
 * nothing to go back to.
 */
export async function reopenLastSubmitted(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<TaskDto | null> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'project.annotate');
  const stage = project.stage as Stage;
  const last = await deps.db.task.findFirst({
    where: { projectId: project.id, stage, assigneeId: actor.id, status: { in: ['submitted'] }, ...NOT_REVIEWED },
    orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }],
  });
  if (!last) return null;
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.task.updateMany({
      where: { id: last.id, status: 'submitted', assigneeId: actor.id },
      data: { status: 'leased', submittedAt: null, leaseExpiresAt: new Date(now.getTime() + deps.settings.TASK_LEASE_SECONDS * 1000) },
    });
    if (count === 0) throw new AppError('CONFLICT', 'your last image was reviewed or changed meanwhile; ask for the next image');
    await tx.task.updateMany({
      where: { projectId: project.id, stage, status: 'leased', assigneeId: actor.id, id: { not: last.id } },
      data: { status: 'open', assigneeId: null, leaseExpiresAt: null },
    });
    await tx.stageCounter.updateMany({ where: { projectId: project.id, stage, imagesDone: { gt: 0 } }, data: { imagesDone: { decrement: 1 } } });
    return toTaskDto(await tx.task.findUniqueOrThrow({ where: { id: last.id }, include: { image: true } }));
  });
}

/** Whether "Previous image" has something to re-open (the tool shows the button accordingly). */
export async function hasPreviousTask(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<boolean> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'project.annotate');
  const found = await deps.db.task.findFirst({ where: { projectId: project.id, stage: project.stage as Stage, assigneeId: actor.id, status: 'submitted', ...NOT_REVIEWED }, select: { id: true } });
  return found !== null;
}

/** The project's images set aside by skips, newest first, with who skipped them and why (its managers). */
export async function listSetAsideTasks(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<SetAsideTaskDto[]> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'project.manage');
  const rows = await deps.db.task.findMany({
    where: { projectId: project.id, status: 'skipped' },
    orderBy: { id: 'desc' },
    take: 200,
    select: {
      id: true,
      stage: true,
      image: { select: { id: true, fileName: true } },
      skips: { orderBy: { createdAt: 'asc' }, select: { reason: true, createdAt: true, user: { select: { name: true, email: true } } } },
    },
  });
  return rows.map((t) => ({
    taskId: t.id.toString(),
    imageId: t.image.id,
    fileName: t.image.fileName,
    stage: t.stage as Stage,
    skips: t.skips.map((s) => ({ annotator: s.user.name || s.user.email, reason: s.reason, at: s.createdAt.toISOString() })),
  }));
}

/**
 * A manager puts a set-aside image back in the queue. The annotators who skipped it still never get
 * it again (their skips stay recorded); the others do.
 */
export async function returnSetAsideTask(deps: EngineDeps, actor: Actor, input: { taskId: string }): Promise<TaskDto> {
  const task = await deps.db.task.findUnique({ where: { id: BigInt(input.taskId) }, select: { id: true, projectId: true, status: true } });
  if (!task) throw new AppError('NOT_FOUND', `task ${input.taskId} does not exist`);
  await requireProject(deps.db, actor, task.projectId, 'project.manage');
  const { count } = await deps.db.task.updateMany({ where: { id: task.id, status: 'skipped' }, data: { status: 'open', assigneeId: null, leaseExpiresAt: null } });
  if (count === 0) throw new AppError('CONFLICT', 'this image is not set aside (any more)');
  return toTaskDto(await deps.db.task.findUniqueOrThrow({ where: { id: task.id }, include: { image: true } }));
}
