// Live side of a long single-job run (retrain, evaluate): merged progress written at most once a
// second, a heartbeat so a run whose worker died can be told from a slow one, and the cancel
// request polled every second and turned into an AbortSignal. Progress is informational: while
// the database is away it is skipped (logged) and written once it is back; the run's outcome is
// not (closeRun waits the outage out).
import { AppError } from '@dataengine/contracts';
import { nowOf, type EngineDeps } from '../engine-deps';
import { isInfrastructureOutage, waitOutOutage } from '../infrastructure-outage';
import { finishRun, isCancelRequested, reportRunProgress } from '../runs/run-control';

const POLL_MS = 1_000;
const HEARTBEAT_MS = 10_000;
/** A running retrain/evaluate run without a heartbeat for this long has lost its worker. */
export const ABANDONED_AFTER_MS = 10 * 60_000;

export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError';
}

export interface RunWatch {
  /** Aborted (with RunCancelledError) once ops asked the run to stop. */
  readonly signal: AbortSignal;
  /** Merges into the run's progress; written within a second. */
  update(patch: Record<string, unknown>, counts?: { done?: number; total?: number }): void;
  /** Asks the database now (between work items) and throws RunCancelledError when a cancel was requested. */
  checkCancelled(): Promise<void>;
  /** Writes pending progress now. */
  flush(): Promise<void>;
  /** Stops polling; writes what is still pending. */
  stop(): Promise<void>;
}

export function watchRun(deps: EngineDeps, runId: string, initial: Record<string, unknown>): RunWatch {
  const controller = new AbortController();
  const progress: Record<string, unknown> = { ...initial };
  const counts: { done?: number; total?: number } = {};
  let dirty = true;
  let lastWrite = 0;
  let ticking: Promise<void> = Promise.resolve();

  const write = async () => {
    dirty = false;
    lastWrite = Date.now();
    try {
      await reportRunProgress(deps, runId, { ...counts, progress: { ...progress, heartbeatAt: nowOf(deps).toISOString() } });
    } catch (error) {
      dirty = true; // written at the next tick that reaches the database
      throw error;
    }
  };
  const tick = async () => {
    if (!controller.signal.aborted && (await isCancelRequested(deps, runId))) controller.abort(new RunCancelledError('cancel requested'));
    if (dirty || Date.now() - lastWrite >= HEARTBEAT_MS) await write();
  };
  const timer = setInterval(() => {
    ticking = ticking.then(tick).catch((error: unknown) => deps.logger.warn('could not update run progress', { runId, error }));
  }, POLL_MS);

  return {
    signal: controller.signal,
    update(patch, next) {
      Object.assign(progress, patch);
      if (next) Object.assign(counts, next);
      dirty = true;
    },
    async checkCancelled() {
      if (!controller.signal.aborted && (await cancelRequestedUnlessAway(deps, runId))) controller.abort(new RunCancelledError('cancel requested'));
      controller.signal.throwIfAborted();
    },
    flush() {
      const flushed = ticking.then(write);
      ticking = flushed.catch(() => undefined); // the caller sees the error; polling goes on
      return flushed;
    },
    async stop() {
      clearInterval(timer);
      await ticking.catch(() => undefined);
      if (dirty) await write().catch((error: unknown) => deps.logger.warn('could not update run progress', { runId, error }));
    },
  };
}

/** A cancel request, or false while the database is away (the next check, or the poll, sees it once it is back). */
async function cancelRequestedUnlessAway(deps: EngineDeps, runId: string): Promise<boolean> {
  try {
    return await isCancelRequested(deps, runId);
  } catch (error) {
    if (!isInfrastructureOutage(error)) throw error;
    deps.logger.warn('could not check the run for a cancel request; going on', { runId, error });
    return false;
  }
}

/**
 * Ends a retrain/evaluate run (finishRun), waiting out an outage of the database: the outcome of
 * minutes of work is written once it is back. Throws InfrastructureUnavailableError when it stays away.
 */
export function closeRun(deps: EngineDeps, runId: string, outcome: Parameters<typeof finishRun>[2]): Promise<void> {
  return waitOutOutage(deps, `record the run's outcome (${outcome.status})`, () => finishRun(deps, runId, outcome), { runId });
}

/**
 * Fails retrain/evaluate runs left "running" by a worker that died and will not come back for
 * them (BullMQ gives a job back once after a worker crash; a second crash fails the job without
 * running it). Judged by the heartbeat `watchRun` writes.
 */
export async function failAbandonedRuns(deps: EngineDeps, projectId?: string): Promise<number> {
  const running = await deps.db.run.findMany({
    where: { status: 'running', kind: { in: ['retrain', 'evaluate'] }, ...(projectId ? { projectId } : {}) },
    select: { id: true, kind: true, startedAt: true, progress: true },
  });
  const now = nowOf(deps).getTime();
  let failed = 0;
  for (const run of running) {
    const beat = (run.progress as { heartbeatAt?: string } | null)?.heartbeatAt;
    const last = beat ? Date.parse(beat) : (run.startedAt?.getTime() ?? now);
    if (now - last < ABANDONED_AFTER_MS) continue;
    await finishRun(deps, run.id, { status: 'failed', error: `the worker running this ${run.kind} stopped responding (last heartbeat ${new Date(last).toISOString()}); start a new ${run.kind} run` });
    failed++;
  }
  return failed;
}

export function errorMessage(error: unknown): string {
  if (error instanceof AppError || error instanceof Error) return error.message;
  return String(error);
}
