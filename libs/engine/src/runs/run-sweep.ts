// The backstop that keeps every run and upload from waiting forever. Workers call it every
// RUN_SWEEP_INTERVAL_MS; it looks only at work older than `stuckAfterMs` and asks the queue
// whether a live job (waiting, delayed, running) still stands for it:
//
// - a single-job run (retrain, evaluate, export, import) without one fails, saying why — it was
//   never queued (the queue was unreachable when it started) or its worker died and the queue gave
//   its job up — and that it must be started again;
// - a pending item of an image run (ingest, prefill, autogen) without one is queued again: its job
//   was lost (a Redis outage or restart) and image jobs commit exactly once, so a second delivery is
//   harmless; items whose jobs were given up were already failed by the give-up hook;
// - an uploaded image still `pending` without an ingest job (the upload answered 503 because Redis
//   was down) is queued for ingest;
// - a run whose items are all finished but that expected more (an upload batch whose browser went
//   away, a start that failed part-way) is closed with what arrived, saying what did not.
//
// Several workers may sweep at once: enqueueing joins a live job of the same key, and finishing a
// run that is already finished does nothing.
import { jobCatalog, type JobName } from '@dataengine/queue';
import type { Prisma } from '@dataengine/db';
import { nowOf, type EngineDeps } from '../engine-deps';
import { finishRun } from './run-control';
import { finishRunIfComplete } from './runs';

export interface RunSweepOptions {
  /** Work this old without a live job is requeued or failed (the worker passes RUN_STUCK_AFTER_MS). */
  stuckAfterMs: number;
  /** An upload batch that received no file for this long stops waiting for the rest. */
  uploadIdleMs?: number;
}

export interface RunSweepResult {
  failedRuns: number;
  requeuedItems: number;
  requeuedImages: number;
  closedRuns: number;
}

/**
 * How each job stands for a run: the whole run (single-job runs), one item of an image run, or
 * nothing (embeddings are asked for again by whoever needs them). A new job kind must say.
 */
const RUN_OF_JOB: Record<JobName, 'run' | 'item' | 'none'> = {
  retrain: 'run',
  evaluate: 'run',
  export: 'run',
  import: 'run',
  ingest: 'item',
  // a registration is an ingest run: its items are swept as such, and its listing job is asked
  // about before the run is closed short (closeShortRun)
  register: 'none',
  prefill: 'item',
  autogen: 'item',
  embed: 'none',
};
/** Default wait before an upload batch with missing files is closed. */
export const UPLOAD_BATCH_IDLE_MS = 30 * 60_000;
/** Items (or images) looked up in the queue per run per sweep, so one huge run cannot stall a sweep. */
const CHECKS_PER_SWEEP = 2_000;
/** Queue look-ups in flight at once. */
const PARALLEL = 50;

type LiveRun = Pick<Prisma.RunGetPayload<object>, 'id' | 'kind' | 'status' | 'params' | 'total' | 'done' | 'failed' | 'createdAt'>;

export async function sweepRuns(deps: EngineDeps, options: RunSweepOptions): Promise<RunSweepResult> {
  const result: RunSweepResult = { failedRuns: 0, requeuedItems: 0, requeuedImages: 0, closedRuns: 0 };
  const cutoff = new Date(nowOf(deps).getTime() - options.stuckAfterMs);
  const runs = await deps.db.run.findMany({
    where: { status: { in: ['queued', 'running'] }, createdAt: { lt: cutoff } },
    select: { id: true, kind: true, status: true, params: true, total: true, done: true, failed: true, createdAt: true },
    orderBy: { createdAt: 'asc' },
  });
  for (const run of runs) {
    const role = run.kind in jobCatalog ? RUN_OF_JOB[run.kind as JobName] : 'none';
    if (role === 'run') {
      if (await sweepSingleJobRun(deps, run)) result.failedRuns++;
    } else if (role === 'item') {
      result.requeuedItems += await requeueLostItems(deps, run);
      if (await closeShortRun(deps, run, { idleMs: options.stuckAfterMs, uploadIdleMs: options.uploadIdleMs ?? UPLOAD_BATCH_IDLE_MS })) result.closedRuns++;
    }
  }
  result.requeuedImages = await requeuePendingUploads(deps, cutoff);
  if (result.failedRuns + result.requeuedItems + result.requeuedImages + result.closedRuns > 0) deps.logger.warn('run sweep acted on stuck work', { ...result });
  return result;
}

async function sweepSingleJobRun(deps: EngineDeps, run: LiveRun): Promise<boolean> {
  const kind = run.kind as 'retrain' | 'evaluate' | 'export' | 'import';
  if (await deps.jobs.liveJob(kind, { runId: run.id })) return false;
  // the job may have finished the run between the two reads: finishRun leaves a finished run alone
  const error =
    run.status === 'queued'
      ? `this ${kind} never reached a worker: its job is not in the queue (the job queue was unreachable when it was started, or lost its data); start it again`
      : `the worker running this ${kind} stopped and its job is no longer in the queue; start it again`;
  const before = await deps.db.run.findUnique({ where: { id: run.id }, select: { status: true } });
  if (before?.status !== run.status) return false;
  await finishRun(deps, run.id, { status: 'failed', error });
  deps.logger.warn('run failed by the sweep: no job left for it', { runId: run.id, kind, status: run.status });
  return true;
}

/** Pending items of an image run whose job is gone are queued again (oldest first, a page per sweep). */
async function requeueLostItems(deps: EngineDeps, run: LiveRun): Promise<number> {
  const items = await deps.db.runItem.findMany({
    where: { runId: run.id, status: 'pending' },
    select: { imageId: true },
    orderBy: { imageId: 'asc' },
    take: CHECKS_PER_SWEEP,
  });
  const kind = run.kind as 'ingest' | 'prefill' | 'autogen';
  let requeued = 0;
  for (let i = 0; i < items.length; i += PARALLEL) {
    await Promise.all(
      items.slice(i, i + PARALLEL).map(async ({ imageId }) => {
        const payload = { runId: run.id, imageId };
        if (await deps.jobs.liveJob(kind, payload)) return;
        await deps.jobs.enqueue(kind, payload);
        requeued++;
      }),
    );
  }
  if (requeued > 0) deps.logger.warn('lost image jobs queued again', { runId: run.id, kind, requeued });
  return requeued;
}

/**
 * A run that expected more items than it holds, none of them pending: an upload batch whose
 * remaining files never came (after `uploadIdleMs` without a new one), or a run whose start failed
 * part-way. It is closed on what it holds.
 */
async function closeShortRun(deps: EngineDeps, run: LiveRun, wait: { idleMs: number; uploadIdleMs: number }): Promise<boolean> {
  const counts = await deps.db.runItem.groupBy({ by: ['status'], where: { runId: run.id }, _count: { _all: true } });
  const held = counts.reduce((sum, c) => sum + c._count._all, 0);
  if (counts.some((c) => c.status === 'pending') || run.done + run.failed >= run.total) return false;
  const source = run.kind === 'ingest' ? (run.params as { source?: unknown } | null)?.source : undefined;
  const isUploadBatch = source === 'upload';
  const isRegistration = source === 'register';
  // a registration still listing its prefix adds items as it goes
  if (isRegistration && (await deps.jobs.liveJob('register', { runId: run.id }))) return false;
  // the last item that arrived or finished: a run still being filled is left alone
  const last = await deps.db.runItem.findFirst({ where: { runId: run.id }, orderBy: { updatedAt: 'desc' }, select: { updatedAt: true } });
  const lastActivity = Math.max(last?.updatedAt.getTime() ?? 0, run.createdAt.getTime());
  if (nowOf(deps).getTime() - lastActivity < (isUploadBatch ? wait.uploadIdleMs : wait.idleMs)) return false;
  // refused files are counted as failed without an item, so they stay in the total
  const total = held + Math.max(0, run.failed - counts.filter((c) => c.status === 'failed').reduce((s, c) => s + c._count._all, 0));
  const missing = run.total - total;
  if (missing <= 0) return false;
  const why = isUploadBatch
    ? `${missing} of the ${run.total} files of this upload batch never arrived; upload them again`
    : isRegistration
      ? 'the listing of this registration stopped before its end (its worker stopped and its job is gone); register the same prefix again: objects already registered are skipped'
      : `${missing} of the ${run.total} images were never added to this run (its start failed part-way); start it again for them`;
  await deps.db.$transaction(async (tx) => {
    await tx.run.update({ where: { id: run.id }, data: { total } });
    await finishRunIfComplete(deps, tx, run.id, why);
  });
  deps.logger.warn('run closed short by the sweep', { runId: run.id, kind: run.kind, expected: run.total, held: total });
  return true;
}

/** Uploaded images still pending, older than the cutoff, with no ingest job at all: queue their ingest. */
async function requeuePendingUploads(deps: EngineDeps, cutoff: Date): Promise<number> {
  const images = await deps.db.image.findMany({
    where: { status: 'pending', createdAt: { lt: cutoff } },
    select: { id: true },
    orderBy: { id: 'asc' },
    take: CHECKS_PER_SWEEP,
  });
  if (images.length === 0) return 0;
  // images of a live ingest run are that run's business (requeueLostItems)
  const inRuns = new Set(
    (
      await deps.db.runItem.findMany({
        where: { imageId: { in: images.map((i) => i.id) }, status: 'pending', run: { kind: 'ingest', status: { in: ['queued', 'running'] } } },
        select: { imageId: true },
      })
    ).map((r) => r.imageId),
  );
  let requeued = 0;
  const orphans = images.filter((i) => !inRuns.has(i.id));
  for (let i = 0; i < orphans.length; i += PARALLEL) {
    await Promise.all(
      orphans.slice(i, i + PARALLEL).map(async ({ id }) => {
        if (await deps.jobs.liveJob('ingest', { imageId: id })) return;
        await deps.jobs.enqueue('ingest', { imageId: id });
        requeued++;
      }),
    );
  }
  if (requeued > 0) deps.logger.warn('pending images without an ingest job queued again', { requeued });
  return requeued;
}
