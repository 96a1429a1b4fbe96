// Stage 1/2 work queue: each image of a stage is one task; an annotator leases the next open one.
// Leasing is one UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED), so two annotators asking
// at the same moment never get the same image; an expired lease makes the image available again.
import { AppError, type ImageDto, type Stage, type TaskDto } from '@dataengine/contracts';
import { type Prisma } from '@dataengine/db';
import { nowOf, type EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { toImageDto } from '../images/image-dto';
import { getActiveCheckpoint } from '../checkpoints/checkpoint-registry';
import { EMBED_PREFETCH, EMBED_PRIORITY } from '../embeddings/embed-priority';
import { leaseReturnedTask, withTaskReturn } from '../review/returned-tasks';
import { queueReviewForSubmission } from '../review/review-queue';

const taskInclude = { image: true } as const;
type TaskRow = Prisma.TaskGetPayload<{ include: typeof taskInclude }>;

export function toTaskDto(row: TaskRow): TaskDto {
  return {
    id: row.id.toString(),
    projectId: row.projectId,
    stage: row.stage,
    status: row.status,
    leaseExpiresAt: row.leaseExpiresAt?.toISOString() ?? null,
    image: toImageDto(row.image),
  };
}

/** Creates the task of an image for a stage (idempotent). */
export async function ensureTask(tx: Prisma.TransactionClient, input: { projectId: string; imageId: number; stage: Stage; priority?: number }): Promise<void> {
  await tx.task.upsert({
    where: { imageId_stage: { imageId: input.imageId, stage: input.stage } },
    create: { projectId: input.projectId, imageId: input.imageId, stage: input.stage, priority: input.priority ?? 0 },
    update: {},
  });
}

const leaseUntil = (deps: EngineDeps) => new Date(nowOf(deps).getTime() + deps.settings.TASK_LEASE_SECONDS * 1000);

/**
 * The caller's current task in the project's stage (or one a reviewer returned to them), renewed;
 * otherwise an image a reviewer returned to them; otherwise the next open one that is neither
 * reserved for another annotator nor holding machine output (autogen masks) that waits for
 * review; null when none is left.
 */
export async function requestNextTask(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<TaskDto | null> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'project.annotate');
  const stage = project.stage as Stage;
  const now = nowOf(deps);
  const held = await deps.db.task.findFirst({
    where: { projectId: project.id, status: 'leased', assigneeId: actor.id, leaseExpiresAt: { gt: now }, OR: [{ stage }, { reservedForId: actor.id }] },
    orderBy: { id: 'asc' },
  });
  if (held) {
    const renewed = await deps.db.task.update({ where: { id: held.id }, data: { leaseExpiresAt: leaseUntil(deps) }, include: taskInclude });
    return withTaskReturn(deps.db, toTaskDto(renewed), renewed, actor);
  }
  const returned = await leaseReturnedTask(deps.db, actor, { projectId: project.id, now, leaseUntil: leaseUntil(deps) });
  if (returned !== null) {
    const task = await deps.db.task.findUniqueOrThrow({ where: { id: returned }, include: taskInclude });
    await queueEmbeddings(deps, task);
    return withTaskReturn(deps.db, toTaskDto(task), task, actor);
  }
  const leased = await deps.db.$queryRaw<{ id: bigint }[]>`
    UPDATE "tasks" SET "status" = 'leased', "assignee_id" = ${actor.id}::uuid, "lease_expires_at" = ${leaseUntil(deps)},
           "started_at" = COALESCE("started_at", ${now})
     WHERE "id" = (
       SELECT "id" FROM "tasks"
        WHERE "project_id" = ${project.id}::uuid AND "stage" = ${stage}::"stage"
          AND ("status" = 'open' OR ("status" = 'leased' AND "lease_expires_at" <= ${now}))
          AND NOT EXISTS (SELECT 1 FROM "task_skips" s WHERE s."task_id" = "tasks"."id" AND s."user_id" = ${actor.id}::uuid)
          AND ("reserved_for_id" IS NULL OR NOT EXISTS (SELECT 1 FROM "project_members" pm WHERE pm."project_id" = "tasks"."project_id" AND pm."user_id" = "tasks"."reserved_for_id"))
          AND NOT EXISTS (SELECT 1 FROM "reviews" r WHERE r."image_id" = "tasks"."image_id" AND r."status" = 'pending' AND r."task_id" IS NULL)
        ORDER BY "priority" DESC, "id" ASC
        FOR UPDATE SKIP LOCKED
        LIMIT 1)
    RETURNING "id"`;
  const id = leased[0]?.id;
  if (id === undefined) return null;
  const task = await deps.db.task.findUniqueOrThrow({ where: { id }, include: taskInclude });
  await queueEmbeddings(deps, task);
  return toTaskDto(task);
}

/**
 * Read-only: the image `requestNextTask` would most likely lease after the caller's current one, so
 * the tool can prefetch its bytes and embedding. Nothing is held — another annotator may still
 * lease it first, and then the tool simply misses its prefetch.
 */
export async function peekNextTask(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<ImageDto | null> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'project.annotate');
  const now = nowOf(deps);
  const next = await deps.db.task.findFirst({
    where: {
      projectId: project.id,
      stage: project.stage as Stage,
      OR: [{ status: 'open' }, { status: 'leased', leaseExpiresAt: { lte: now } }],
      skips: { none: { userId: actor.id } },
      // not reserved for another annotator after a review, no machine output waiting for review
      AND: [{ OR: [{ reservedForId: null }, { reservedForId: actor.id }] }, { image: { reviews: { none: { status: 'pending', taskId: null } } } }],
    },
    orderBy: [{ priority: 'desc' }, { id: 'asc' }],
    include: taskInclude,
  });
  return next ? toImageDto(next.image) : null;
}

/** The leased image's embedding first, then the next images of the queue (prefetch). */
async function queueEmbeddings(deps: EngineDeps, task: TaskRow): Promise<void> {
  const checkpoint = await getActiveCheckpoint(deps, task.projectId);
  if (!checkpoint) return;
  await deps.jobs.enqueue('embed', { imageId: task.imageId, checkpointId: checkpoint.id }, { priority: EMBED_PRIORITY.waiting });
  const upcoming = await deps.db.task.findMany({
    where: { projectId: task.projectId, stage: task.stage, status: 'open' },
    orderBy: [{ priority: 'desc' }, { id: 'asc' }],
    take: EMBED_PREFETCH,
    select: { imageId: true },
  });
  for (const next of upcoming) await deps.jobs.enqueue('embed', { imageId: next.imageId, checkpointId: checkpoint.id }, { priority: EMBED_PRIORITY.upcoming });
}

export async function heldTask(deps: EngineDeps, actor: Actor, taskId: string): Promise<TaskRow> {
  const task = await deps.db.task.findUnique({ where: { id: BigInt(taskId) }, include: taskInclude });
  if (!task) throw new AppError('NOT_FOUND', `task ${taskId} does not exist`);
  await requireProject(deps.db, actor, task.projectId, 'project.annotate');
  const expired = !task.leaseExpiresAt || task.leaseExpiresAt <= nowOf(deps);
  if (task.status !== 'leased' || task.assigneeId !== actor.id) {
    if (task.status === 'submitted') throw new AppError('CONFLICT', 'this image was already submitted');
    throw new AppError('CONFLICT', 'your lease on this image ended and it went back to the queue; your saved masks are kept — ask for the next image');
  }
  return expired ? { ...task, leaseExpiresAt: null } : task;
}

/** Keeps the lease alive while the annotator works (the web tool calls it every minute). */
export async function renewTaskLease(deps: EngineDeps, actor: Actor, input: { taskId: string }): Promise<TaskDto> {
  const task = await heldTask(deps, actor, input.taskId);
  const { count } = await deps.db.task.updateMany({
    where: { id: task.id, status: 'leased', assigneeId: actor.id },
    data: { leaseExpiresAt: leaseUntil(deps) },
  });
  if (count === 0) throw new AppError('CONFLICT', 'your lease on this image ended; ask for the next image');
  return toTaskDto(await deps.db.task.findUniqueOrThrow({ where: { id: task.id }, include: taskInclude }));
}

/**
 * Marks the image done for this stage and adds the time spent on it. An image without a single
 * mask is submitted only when the annotator said it has no objects (`emptyConfirmed`), so an
 * accidental submit cannot lose an image.
 */
export async function submitTask(deps: EngineDeps, actor: Actor, input: { taskId: string; activeMs: number; emptyConfirmed?: boolean }): Promise<TaskDto> {
  const task = await heldTask(deps, actor, input.taskId);
  if (!input.emptyConfirmed) {
    const masks = await deps.db.mask.count({ where: { imageId: task.imageId, deletedAt: null } });
    if (masks === 0) throw new AppError('CONFLICT', 'this image has no masks; confirm that it shows no objects to annotate (emptyConfirmed), or skip it with a reason');
  }
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.task.updateMany({
      where: { id: task.id, status: 'leased', assigneeId: actor.id },
      data: { status: 'submitted', submittedAt: nowOf(deps), leaseExpiresAt: null, activeMs: { increment: input.activeMs }, reservedForId: null },
    });
    if (count === 0) throw new AppError('CONFLICT', 'this image is no longer yours to submit');
    await tx.stageCounter.upsert({
      where: { projectId_stage: { projectId: task.projectId, stage: task.stage } },
      create: { projectId: task.projectId, stage: task.stage, imagesDone: 1 },
      update: { imagesDone: { increment: 1 } },
    });
    // QA: the project's sampling decides whether the image enters the review queue
    await queueReviewForSubmission(tx, task, actor.id);
    return toTaskDto(await tx.task.findUniqueOrThrow({ where: { id: task.id }, include: taskInclude }));
  });
}

/** Gives the image back to the queue without submitting it. */
export async function releaseTask(deps: EngineDeps, actor: Actor, input: { taskId: string }): Promise<void> {
  const task = await heldTask(deps, actor, input.taskId);
  await deps.db.task.updateMany({ where: { id: task.id, status: 'leased', assigneeId: actor.id }, data: { status: 'open', assigneeId: null, leaseExpiresAt: null } });
}
