// Exactly once for the image runs (prefill, autogen), even when a worker is killed mid-job: the
// heavy compute runs outside any transaction; its result is written in ONE transaction that first
// locks the run and the run item and writes nothing unless the run is still live and the item still
// pending. A job re-delivered after its worker died computes again but commits at most once, and a
// cancel that lands during the compute wins over the write.
import { AppError } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { isLastAttempt, jobCatalog, PermanentJobError } from '@dataengine/queue';
import type { EngineDeps } from '../engine-deps';
import { isInfrastructureOutage as isTransient } from '../infrastructure-outage';
import { loadLiveRun, markRunRunning, type RunRow } from '../runs/run-control';
import { addRunCounts, completeRunItem } from '../runs/runs';

export interface ImageRunJob {
  runId: string;
  imageId: number;
}

/** Which try of the job this is (BullMQ's attempt, 1-based). */
export interface JobAttempt {
  attempt: number;
}

export type ImageItemOutcome =
  | { imageId: number; status: 'done'; masks: number }
  | { imageId: number; status: 'skipped'; reason: string };

/** Writes an image's result inside the commit transaction; returns how many masks it stored. */
export type ItemWriter = (tx: Prisma.TransactionClient) => Promise<number>;

/** The per-image compute: returns the writer, or null when it stopped because the run was cancelled. */
export type ItemWork = (run: RunRow) => Promise<ItemWriter | null>;

/** An error about this image or model (corrupt file, bad model output): the item fails, the run goes on. */
export class ImageItemError extends Error {
  override readonly name = 'ImageItemError';
}

/** Runs `step` and rethrows anything but infrastructure trouble as an ImageItemError naming the step. */
export async function imageStep<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isTransient(error) || error instanceof ImageItemError) throw error;
    throw new ImageItemError(`${what} failed: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * One image of a prefill or autogen run: skip when the run is over or the item already processed,
 * compute, then commit once. A failed image marks its item failed (with the error) and the job as a
 * permanent failure; database or network trouble is retried by the queue, and marks the item failed
 * on the last try so the run can still finish.
 */
export async function processImageRunItem(
  deps: EngineDeps,
  kind: 'prefill' | 'autogen',
  job: ImageRunJob & Partial<JobAttempt>,
  work: ItemWork,
): Promise<ImageItemOutcome> {
  const run = await loadLiveRun(deps, job.runId, kind);
  if (!run) return { imageId: job.imageId, status: 'skipped', reason: 'the run is finished or cancelled' };
  const item = await deps.db.runItem.findUnique({ where: { runId_imageId: { runId: job.runId, imageId: job.imageId } }, select: { status: true } });
  if (!item) return { imageId: job.imageId, status: 'skipped', reason: 'the image is not part of the run (deleted?)' };
  if (item.status !== 'pending') return { imageId: job.imageId, status: 'skipped', reason: `already ${item.status}` };
  await markRunRunning(deps, run.id);

  let write: ItemWriter | null;
  try {
    write = await work(run);
  } catch (error) {
    if (isTransient(error) && !isLastAttempt(jobCatalog[kind], job.attempt ?? 1, true)) throw error;
    const message = error instanceof ImageItemError || error instanceof AppError ? error.message : `${(error as Error).message} (after ${job.attempt ?? 1} tries)`;
    await deps.db.$transaction(async (tx) => {
      if (await lockPendingItem(tx, job)) await completeRunItem(deps, tx, { runId: job.runId, imageId: job.imageId, outcome: 'failed', error: message });
    });
    throw new PermanentJobError(`${kind} of image ${job.imageId} (run ${job.runId}): ${message}`);
  }
  if (!write) return { imageId: job.imageId, status: 'skipped', reason: 'the run was cancelled while the image was processed' };
  return commitImageItem(deps, job, write);
}

/** The one transaction that stores an image's result and closes its item. */
export async function commitImageItem(deps: EngineDeps, job: ImageRunJob, write: ItemWriter): Promise<ImageItemOutcome> {
  return deps.db.$transaction(
    async (tx): Promise<ImageItemOutcome> => {
      if (!(await lockPendingItem(tx, job))) return { imageId: job.imageId, status: 'skipped', reason: 'another delivery of this job committed first, or the run was cancelled' };
      const masks = await write(tx);
      await addRunCounts(tx, job.runId, { masks, ...(masks > 0 ? { imagesWithMasks: 1 } : {}) });
      await completeRunItem(deps, tx, { runId: job.runId, imageId: job.imageId, outcome: 'done' });
      return { imageId: job.imageId, status: 'done', masks };
    },
    { timeout: 60_000 },
  );
}

/**
 * Locks the run row, then the item row (always in this order, so concurrent commits of one run
 * cannot deadlock). True when the run is still live and the item still pending.
 */
async function lockPendingItem(tx: Prisma.TransactionClient, job: ImageRunJob): Promise<boolean> {
  const runs = await tx.$queryRaw<{ status: string; cancel_requested_at: Date | null }[]>`
    SELECT "status"::text AS "status", "cancel_requested_at" FROM "runs" WHERE "id" = ${job.runId}::uuid FOR UPDATE`;
  const run = runs[0];
  if (!run || run.cancel_requested_at !== null || (run.status !== 'queued' && run.status !== 'running')) return false;
  const items = await tx.$queryRaw<{ status: string }[]>`
    SELECT "status"::text AS "status" FROM "run_items" WHERE "run_id" = ${job.runId}::uuid AND "image_id" = ${job.imageId} FOR UPDATE`;
  return items[0]?.status === 'pending';
}

/**
 * The queue gave up on an image job without a processor seeing the end (its workers died holding it
 * too often): the item fails with the reason so the run can still finish. A no-op when it already left pending.
 */
export async function failGivenUpRunItem(deps: EngineDeps, job: ImageRunJob, reason: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    if (await lockPendingItem(tx, job)) await completeRunItem(deps, tx, { runId: job.runId, imageId: job.imageId, outcome: 'failed', error: reason });
  });
}
