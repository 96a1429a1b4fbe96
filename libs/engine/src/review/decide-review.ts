// A reviewer's verdict on one image. Accepting accepts every live mask of the image (or, for
// machine output, of the run under review) except those the reviewer rejected one by one, which
// are deleted. Rejecting an annotator's submission sends the image back to them — at the head of
// their queue, with the reason — and rejecting machine output deletes its masks. Reviewer, time,
// decision and reason are recorded on the review.
import { AppError, decideReviewInputSchema, type DecideReviewInput, type ReviewDto, type Stage } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { nowOf, type EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { recordMaskCounters } from '../masks/mask-counters';
import { reviewInclude, toReviewDto } from './review-queue';

type Tx = Prisma.TransactionClient;
type ReviewRow = Prisma.ReviewGetPayload<object>;

export async function decideReview(deps: EngineDeps, actor: Actor, raw: DecideReviewInput): Promise<ReviewDto> {
  const input = decideReviewInputSchema.parse(raw);
  const reviewId = BigInt(input.reviewId);
  const found = await deps.db.review.findUnique({ where: { id: reviewId }, select: { projectId: true } });
  if (!found) throw new AppError('NOT_FOUND', `review ${input.reviewId} does not exist`);
  await requireProject(deps.db, actor, found.projectId, 'review');
  const now = nowOf(deps);

  await deps.db.$transaction(async (tx) => {
    const review = await lockPendingReview(tx, reviewId);
    if (review.taskId !== null) await requireSubmittedTask(tx, review.taskId);
    if (input.decision === 'accept') {
      const rejected = await rejectMasks(tx, review, input.rejectMaskIds.map((id) => BigInt(id)), now);
      const { count: accepted } = await tx.mask.updateMany({
        where: { imageId: review.imageId, deletedAt: null, ...(review.runId && review.taskId === null ? { runId: review.runId } : {}) },
        data: { reviewVerdict: 'accepted', reviewedAt: now },
      });
      await tx.review.update({ where: { id: review.id }, data: { status: 'accepted', reviewerId: actor.id, decidedAt: now, masksAccepted: accepted, masksRejected: rejected } });
      return;
    }
    let rejected = 0;
    if (review.taskId !== null && review.submittedById !== null) {
      await returnTask(tx, review.taskId, review.submittedById);
    } else if (review.runId !== null) {
      const machine = await tx.mask.findMany({ where: { imageId: review.imageId, runId: review.runId, deletedAt: null }, select: { id: true } });
      rejected = await rejectMasks(tx, review, machine.map((m) => m.id), now);
    }
    await tx.review.update({ where: { id: review.id }, data: { status: 'rejected', reason: input.reason, reviewerId: actor.id, decidedAt: now, masksRejected: rejected } });
  });
  return toReviewDto(await deps.db.review.findUniqueOrThrow({ where: { id: reviewId }, include: reviewInclude }));
}

async function lockPendingReview(tx: Tx, reviewId: bigint): Promise<ReviewRow> {
  await tx.$queryRaw`SELECT 1 FROM "reviews" WHERE "id" = ${reviewId} FOR UPDATE`;
  const review = await tx.review.findUniqueOrThrow({ where: { id: reviewId }, include: { reviewer: { select: { name: true } } } });
  if (review.status !== 'pending') {
    const by = review.reviewer ? ` by ${review.reviewer.name}` : '';
    throw new AppError('CONFLICT', `this image was already ${review.status}${by} at ${review.decidedAt?.toISOString() ?? 'an earlier time'}; open the next one in the queue`);
  }
  return review;
}

/** The annotator may have re-opened the image after submitting it: then there is nothing to judge yet. */
async function requireSubmittedTask(tx: Tx, taskId: bigint): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "tasks" WHERE "id" = ${taskId} FOR UPDATE`;
  const task = await tx.task.findUnique({ where: { id: taskId }, select: { status: true } });
  if (task && task.status !== 'submitted') {
    throw new AppError('CONFLICT', 'the annotator re-opened this image after submitting it; it can be judged once they submit it again (it stays in the queue)');
  }
}

/** The image goes back to the annotator who submitted it: open, reserved for them, no longer done. */
async function returnTask(tx: Tx, taskId: bigint, annotatorId: string): Promise<void> {
  const task = await tx.task.update({
    where: { id: taskId },
    data: { status: 'open', assigneeId: annotatorId, reservedForId: annotatorId, submittedAt: null, leaseExpiresAt: null },
    select: { projectId: true, stage: true },
  });
  await tx.stageCounter.updateMany({ where: { projectId: task.projectId, stage: task.stage, imagesDone: { gt: 0 } }, data: { imagesDone: { decrement: 1 } } });
}

/** Deletes the given live masks of the review's image with a "rejected" verdict; returns how many. */
async function rejectMasks(tx: Tx, review: ReviewRow, maskIds: bigint[], now: Date): Promise<number> {
  if (maskIds.length === 0) return 0;
  const masks = await tx.mask.findMany({
    where: { id: { in: maskIds }, imageId: review.imageId, deletedAt: null },
    select: { id: true, stage: true, provenance: true, checkpointId: true },
  });
  if (masks.length !== new Set(maskIds).size) {
    throw new AppError('BAD_REQUEST', 'some of the masks to reject are not on this image or were deleted meanwhile; reload the image and decide again');
  }
  await tx.mask.updateMany({ where: { id: { in: masks.map((m) => m.id) } }, data: { deletedAt: now, reviewVerdict: 'rejected', reviewedAt: now, version: { increment: 1 } } });
  const groups = new Map<string, { stage: Stage; provenance: 'manual' | 'prefill' | 'auto'; checkpointId: string | null; n: number }>();
  for (const m of masks) {
    const key = `${m.stage}|${m.provenance}|${m.checkpointId ?? ''}`;
    const group = groups.get(key) ?? { stage: m.stage, provenance: m.provenance, checkpointId: m.checkpointId, n: 0 };
    group.n++;
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    await recordMaskCounters(tx, { projectId: review.projectId, stage: g.stage, provenance: g.provenance, authorId: null, checkpointId: g.checkpointId, day: now }, { masks: -g.n, activeMs: 0, clicks: 0 });
  }
  return masks.length;
}
