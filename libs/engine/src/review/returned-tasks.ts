// The review's way back into the annotator's queue: an image a reviewer rejected is reserved for
// the annotator who submitted it (Task.reservedForId), comes before any other image when they ask
// for the next one — in whatever stage it was submitted — and carries the reviewer's reason.
import type { TaskDto, TaskReturnDto } from '@dataengine/contracts';
import type { Db } from '@dataengine/db';
import type { Actor } from '../access/actor';

/** The reason of the rejection that returned the task to `actorId`; null when it was not returned to them. */
export async function taskReturnFor(db: Db, task: { id: bigint; reservedForId: string | null }, actorId: string): Promise<TaskReturnDto | null> {
  if (task.reservedForId !== actorId) return null;
  const review = await db.review.findFirst({
    where: { taskId: task.id, status: 'rejected' },
    orderBy: { decidedAt: 'desc' },
    select: { reason: true, decidedAt: true, reviewer: { select: { name: true } } },
  });
  if (!review) return null;
  return { reason: review.reason ?? '', reviewer: review.reviewer?.name ?? null, decidedAt: (review.decidedAt ?? new Date(0)).toISOString() };
}

/** The task DTO with the rejection's reason when the task was returned to the caller. */
export async function withTaskReturn(db: Db, dto: TaskDto, row: { id: bigint; reservedForId: string | null }, actor: Actor): Promise<TaskDto> {
  return { ...dto, returned: await taskReturnFor(db, row, actor.id) };
}

/**
 * Leases the oldest task returned to the caller in the project (open, or leased by them before and
 * expired), whatever its stage; null when none waits. One statement, like the queue's own lease.
 */
export async function leaseReturnedTask(db: Db, actor: Actor, input: { projectId: string; now: Date; leaseUntil: Date }): Promise<bigint | null> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    UPDATE "tasks" SET "status" = 'leased', "assignee_id" = ${actor.id}::uuid, "lease_expires_at" = ${input.leaseUntil},
           "started_at" = COALESCE("started_at", ${input.now})
     WHERE "id" = (
       SELECT "id" FROM "tasks"
        WHERE "project_id" = ${input.projectId}::uuid AND "reserved_for_id" = ${actor.id}::uuid AND "stage" <> 'fully_automatic'
          AND ("status" = 'open' OR ("status" = 'leased' AND "lease_expires_at" <= ${input.now}))
        ORDER BY "id" ASC
        FOR UPDATE SKIP LOCKED
        LIMIT 1)
    RETURNING "id"`;
  return rows[0]?.id ?? null;
}
