// One answer, for every job, to "did this fail because the infrastructure is away?" — PostgreSQL,
// Redis or object storage unreachable, refusing or timing out — as opposed to the job's input or
// model being wrong. The worker runtime retries such failures by OUTAGE_RETRY (job-catalog.ts);
// a long use case that must not start over (retrain, evaluate) waits out the outage around each
// of its steps on the same schedule (waitOutOutage).
import { isDatabaseUnavailableError } from '@dataengine/db';
import { isRedisUnavailableError, OUTAGE_RETRY, outageRetryDelayMs } from '@dataengine/queue';
import { isBlobStoreUnavailableError } from '@dataengine/storage';
import type { EngineDeps } from './engine-deps';

export function isInfrastructureOutage(error: unknown): boolean {
  return isDatabaseUnavailableError(error) || isRedisUnavailableError(error) || isBlobStoreUnavailableError(error);
}

/** What was away, in the words of a message to ops; null when the failure is not an outage. */
export function outageSource(error: unknown): string | null {
  if (isDatabaseUnavailableError(error)) return 'the database (PostgreSQL)';
  if (isRedisUnavailableError(error)) return 'Redis';
  if (isBlobStoreUnavailableError(error)) return 'the object store';
  return null;
}

/** An outage outlasted waitOutOutage's tries: its message says what was away, for how long, and which step gave up. */
export class InfrastructureUnavailableError extends Error {
  override readonly name = 'InfrastructureUnavailableError';
  constructor(
    message: string,
    readonly source: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n').find((l) => l.trim()) ?? 'unknown error';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `step`; while it fails because PostgreSQL, Redis or the object store is away, runs it again
 * after the queue's outage waits (outageRetryDelayMs: 1, 2, 4, 8, 16 s, then every 20 s), up to
 * OUTAGE_RETRY.attempts tries — about 150 s. Any other failure is thrown at once. `step` must be
 * safe to run again (a read, or a write that lands once however often it is sent). An outage that
 * outlasts the tries ends in InfrastructureUnavailableError, which is not waited out again by an
 * enclosing call.
 */
export async function waitOutOutage<T>(deps: Pick<EngineDeps, 'logger'>, what: string, step: () => Promise<T>, fields: Record<string, unknown> = {}): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const source = error instanceof InfrastructureUnavailableError ? null : outageSource(error);
      if (!source) throw error;
      if (attempt >= OUTAGE_RETRY.attempts) {
        const seconds = Math.round((Date.now() - started) / 1000);
        deps.logger.error('gave up waiting for the infrastructure', { ...fields, step: what, attempts: attempt, seconds, error: firstLine(error) });
        throw new InfrastructureUnavailableError(`could not ${what}: ${source} was unreachable for ${seconds} s (${attempt} tries; last error: ${firstLine(error)})`, source, { cause: error });
      }
      const delayMs = outageRetryDelayMs(attempt);
      deps.logger.warn('infrastructure unreachable; trying again', { ...fields, step: what, source, attempt, retryInMs: delayMs, error: firstLine(error) });
      await sleep(delayMs);
    }
  }
}
