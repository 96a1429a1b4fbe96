// The project's review queue: submissions and machine output enter it (in the transaction that
// produced them), reviewers list it. A pending review of machine output holds its image out of
// annotators' queues (task-queue.ts): automatic masks are judged before anyone works on top of them.
import { AppError, type ReviewDto, type Stage } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { reviewSourceFor } from './review-sampling';

type Tx = Prisma.TransactionClient;

export const reviewInclude = {
  image: { select: { fileName: true, thumbKey: true } },
  submittedBy: { select: { id: true, name: true } },
  reviewer: { select: { id: true, name: true } },
} as const;
type ReviewRow = Prisma.ReviewGetPayload<{ include: typeof reviewInclude }>;

export function toReviewDto(row: ReviewRow): ReviewDto {
  return {
    id: row.id.toString(),
    projectId: row.projectId,
    imageId: row.imageId,
    fileName: row.image.fileName,
    thumbUrl: row.image.thumbKey ? `/api/images/${row.imageId}/thumbnail` : null,
    stage: row.stage,
    source: row.source,
    status: row.status,
    submittedBy: row.submittedBy,
    reviewer: row.reviewer,
    reason: row.reason,
    runId: row.runId,
    masksAccepted: row.masksAccepted,
    masksRejected: row.masksRejected,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

async function reviewPolicyOf(tx: Tx, projectId: string) {
  const project = await tx.project.findUniqueOrThrow({ where: { id: projectId }, select: { reviewSampleRate: true, reviewLaterStages: true } });
  return { sampleRate: project.reviewSampleRate, laterStages: project.reviewLaterStages };
}

/**
 * An annotator submitted a task: the image enters review when the project's sampling draws it,
 * when its stage is reviewed in full, or when it was rejected before. A pending review of the same
 * task (the annotator re-opened and submitted it again) is kept, not repeated. True when it is in review.
 */
export async function queueReviewForSubmission(
  tx: Tx,
  task: { id: bigint; projectId: string; imageId: number; stage: Stage },
  submitterId: string,
): Promise<boolean> {
  const pending = await tx.review.findFirst({ where: { taskId: task.id, status: 'pending' }, select: { id: true } });
  if (pending) {
    await tx.review.update({ where: { id: pending.id }, data: { submittedById: submitterId } });
    return true;
  }
  const rejectedBefore = (await tx.review.count({ where: { taskId: task.id, status: 'rejected' } })) > 0;
  const source = reviewSourceFor({ seed: task.projectId, imageId: task.imageId, stage: task.stage, rejectedBefore }, await reviewPolicyOf(tx, task.projectId));
  if (!source) return false;
  await tx.review.create({ data: { projectId: task.projectId, imageId: task.imageId, stage: task.stage, source, taskId: task.id, submittedById: submitterId } });
  return true;
}

/**
 * An autogen run stored automatic masks on an image: they go to review, not to an annotator's
 * queue (unless the project samples machine output and this image is sampled out). One pending
 * review per image and run.
 */
export async function queueReviewForMachineMasks(tx: Tx, input: { projectId: string; imageId: number; stage: Stage; runId: string }): Promise<boolean> {
  const source = reviewSourceFor({ seed: input.projectId, imageId: input.imageId, stage: input.stage, rejectedBefore: false, machine: true }, await reviewPolicyOf(tx, input.projectId));
  if (!source) return false;
  const pending = await tx.review.findFirst({ where: { imageId: input.imageId, runId: input.runId, status: 'pending' }, select: { id: true } });
  if (!pending) await tx.review.create({ data: { projectId: input.projectId, imageId: input.imageId, stage: input.stage, source, runId: input.runId } });
  return true;
}

/** The review queue of a project: pending reviews oldest first, or decided ones newest first. */
export async function listReviewQueue(
  deps: EngineDeps,
  actor: Actor,
  input: { projectId: string; status: 'pending' | 'decided'; cursor?: string | null; limit: number },
): Promise<{ items: ReviewDto[]; nextCursor: string | null; pending: number }> {
  await requireProject(deps.db, actor, input.projectId, 'review');
  const pendingOnly = input.status === 'pending';
  const cursor = input.cursor ? BigInt(input.cursor) : null;
  const rows = await deps.db.review.findMany({
    where: {
      projectId: input.projectId,
      status: pendingOnly ? 'pending' : { in: ['accepted', 'rejected'] },
      ...(cursor !== null ? { id: pendingOnly ? { gt: cursor } : { lt: cursor } } : {}),
    },
    orderBy: { id: pendingOnly ? 'asc' : 'desc' },
    take: input.limit + 1,
    include: reviewInclude,
  });
  const page = rows.slice(0, input.limit);
  const pending = await deps.db.review.count({ where: { projectId: input.projectId, status: 'pending' } });
  return { items: page.map(toReviewDto), nextCursor: rows.length > input.limit ? page[page.length - 1]!.id.toString() : null, pending };
}

/** One review, for the reviewer's page. */
export async function getReview(deps: EngineDeps, actor: Actor, input: { reviewId: string }): Promise<ReviewDto> {
  const row = await deps.db.review.findUnique({ where: { id: BigInt(input.reviewId) }, include: reviewInclude });
  if (!row) throw new AppError('NOT_FOUND', `review ${input.reviewId} does not exist`);
  await requireProject(deps.db, actor, row.projectId, 'review');
  return toReviewDto(row);
}
