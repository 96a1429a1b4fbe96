// Starting a run creates its row, then queues its jobs. When queueing fails (Redis unreachable) the
// caller is told the request was not queued (503) — so the run must not stay behind as "queued"
// forever either: it fails at once, saying why, and jobs it had already queued find it finished and
// do nothing. If even that write fails (the database is down too), the run sweep closes it later.
import { AppError } from '@dataengine/contracts';
import { nowOf, type EngineDeps } from '../engine-deps';

export async function queueRunJobs(deps: EngineDeps, runId: string, enqueue: () => Promise<void>): Promise<void> {
  try {
    await enqueue();
  } catch (error) {
    const unreachable = error instanceof AppError && error.code === 'SERVICE_UNAVAILABLE';
    const reason = unreachable
      ? 'the run could not be queued: the job queue (Redis) was unreachable; start it again'
      : `the run could not be queued (${error instanceof Error ? error.message : String(error)}); start it again`;
    const now = nowOf(deps);
    await deps.db.run
      .updateMany({ where: { id: runId, status: { in: ['queued', 'running'] } }, data: { status: 'failed', finishedAt: now, error: reason } })
      .catch((writeError: unknown) => deps.logger.warn('could not fail a run whose jobs were not queued; the run sweep will', { runId, error: writeError }));
    throw error;
  }
}
