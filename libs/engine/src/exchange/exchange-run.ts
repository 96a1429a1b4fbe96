// The frame an export or import job runs in: the run is marked running, then finished with the
// body's outcome. A caller-fault AppError fails the run at once with its message; any other error
// is retried by the queue (an outage of the database or store for longer, OUTAGE_RETRY) and fails
// the run on the last attempt.
import { AppError } from '@dataengine/contracts';
import { isLastAttempt, jobCatalog } from '@dataengine/queue';
import { isInfrastructureOutage } from '../infrastructure-outage';
import { finishRun, isCancelRequested, loadLiveRun, markRunRunning, reportRunProgress, type RunRow } from '../runs/run-control';
import type { EngineDeps } from '../engine-deps';

/** Thrown between images (or batches) when ops asked the run to stop; may carry what was done until then. */
export class RunCancelled extends Error {
  override readonly name = 'RunCancelled';
  readonly result?: Record<string, unknown>;
  /** added to the run's error line, e.g. what was kept */
  readonly detail?: string;

  constructor(message: string, outcome: { result?: Record<string, unknown>; detail?: string } = {}) {
    super(message);
    this.result = outcome.result;
    this.detail = outcome.detail;
  }
}

export async function throwIfCancelled(deps: EngineDeps, runId: string): Promise<void> {
  if (await isCancelRequested(deps, runId)) throw new RunCancelled(`run ${runId} was cancelled`);
}

const PROGRESS_INTERVAL_MS = 500;

/**
 * Called between images: stops the run when ops cancelled it, and reports progress (at most
 * twice a second, with an ETA from the pace so far).
 */
export function progressStepper(deps: EngineDeps, runId: string, total: number) {
  const started = Date.now();
  let last = 0;
  return async (done: number, detail: Record<string, unknown> = {}): Promise<void> => {
    await throwIfCancelled(deps, runId);
    if (Date.now() - last < PROGRESS_INTERVAL_MS) return;
    last = Date.now();
    const elapsed = (last - started) / 1000;
    const etaSeconds = done > 0 ? Math.round((elapsed / done) * Math.max(0, total - done)) : undefined;
    await reportRunProgress(deps, runId, { done, total, progress: { ...detail, ...(etaSeconds !== undefined ? { etaSeconds } : {}) } });
  };
}

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  result: Record<string, unknown>;
  error?: string | null;
}

/** The queue's delivery of the job (ProcessorContext): which attempt this is, and its progress report. */
export interface JobAttempt {
  attempt: number;
  progress?(value: Record<string, unknown>): Promise<void>;
}

export async function runExchangeJob(
  deps: EngineDeps,
  input: { runId: string; kind: 'export' | 'import'; attempt: number },
  body: (run: RunRow) => Promise<RunOutcome>,
): Promise<void> {
  const run = await loadLiveRun(deps, input.runId, input.kind);
  if (!run) return;
  await markRunRunning(deps, run.id);
  try {
    const outcome = await body(run);
    await finishRun(deps, run.id, outcome);
  } catch (error) {
    if (error instanceof RunCancelled) return finishRun(deps, run.id, { status: 'cancelled', error: error.detail ?? null, ...(error.result ? { result: error.result } : {}) });
    if (error instanceof AppError) return finishRun(deps, run.id, { status: 'failed', error: error.message });
    deps.logger.error(`${input.kind} run failed`, { runId: run.id, attempt: input.attempt, error: error instanceof Error ? error.message : String(error) });
    if (isLastAttempt(jobCatalog[input.kind], input.attempt, isInfrastructureOutage(error))) {
      await finishRun(deps, run.id, { status: 'failed', error: `${input.kind} failed after ${input.attempt} attempts: ${error instanceof Error ? error.message : String(error)}` });
    }
    throw error;
  }
}
