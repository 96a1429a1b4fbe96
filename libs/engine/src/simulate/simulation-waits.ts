// Waiting on the queues' work (runs, embeddings) with a deadline and an abort signal, so a
// simulation whose worker died says so instead of hanging.
import type { EngineDeps } from '../engine-deps';
import type { RunRow } from '../runs/run-control';

/** A simulation could not go on (a run failed, a wait timed out, the workers stopped). */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  intervalMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new SimulationError(String(signal.reason ?? 'the simulation was stopped'));
}

/** Calls `probe` until it returns a value; throws SimulationError naming `what` after the deadline. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | null | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (let interval = Math.min(50, options.intervalMs ?? 250); ; interval = Math.min(interval * 2, options.intervalMs ?? 250)) {
    if (options.signal?.aborted) throw abortError(options.signal);
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new SimulationError(`gave up after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}; is a worker consuming this installation's queues?`);
    await sleep(interval, options.signal);
  }
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** Waits until a run has finished (any outcome); `onProgress` sees the row while it runs. */
export async function waitForRun(deps: EngineDeps, runId: string, what: string, options: WaitOptions & { onProgress?: (run: RunRow) => void }): Promise<RunRow> {
  let lastReport = '';
  return pollUntil(
    what,
    async () => {
      const run = await deps.db.run.findUnique({ where: { id: runId } });
      if (!run) throw new SimulationError(`${what}: run ${runId} disappeared`);
      if (FINISHED.has(run.status)) return run;
      const report = `${run.status} ${run.done}/${run.total}`;
      if (report !== lastReport) options.onProgress?.(run);
      lastReport = report;
      return null;
    },
    { intervalMs: 500, ...options },
  );
}

/** A run that did not succeed becomes a SimulationError with the run's own error line. */
export function assertRunSucceeded(run: RunRow, what: string): void {
  if (run.status !== 'succeeded') throw new SimulationError(`${what} ${run.status}${run.error ? `: ${run.error}` : ''} (run ${run.id})`);
}
