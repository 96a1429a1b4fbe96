// Queue health for the ops console: BullMQ's counts and workers per queue, and the jobs running or
// failed there resolved to the runs (and projects) they belong to — with, for each failure, whether
// a retry could succeed. Only those are retried.
import { AppError } from '@dataengine/contracts';
import { jobCatalog, type QueueInspector, type QueueJobInfo } from '@dataengine/queue';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireGlobal } from '../access/project-access';
import type { QueueHealthDto, QueueJobDto } from './ops-schema';

/** Failures listed per queue in the console. */
const FAILURES_SHOWN = 5;
/** Runs done by one job: once such a run is closed, another try of its job finds nothing to do. */
const SINGLE_JOB_RUNS: ReadonlySet<string> = new Set(['retrain', 'evaluate', 'export', 'import']);
const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

const jobsOfQueue = (queue: string) =>
  Object.entries(jobCatalog)
    .filter(([, d]) => d.queue === queue)
    .map(([name]) => name);

interface RunInfo {
  id: string;
  kind: string;
  status: string;
  project: { name: string } | null;
}

const runIdOf = (job: QueueJobInfo): string | null => (typeof job.data['runId'] === 'string' ? job.data['runId'] : null);

async function loadRuns(deps: EngineDeps, jobs: QueueJobInfo[]): Promise<Map<string, RunInfo>> {
  const runIds = [...new Set(jobs.map(runIdOf).filter((id): id is string => id !== null))];
  const runs = runIds.length ? await deps.db.run.findMany({ where: { id: { in: runIds } }, select: { id: true, kind: true, status: true, project: { select: { name: true } } } }) : [];
  return new Map(runs.map((r) => [r.id, r]));
}

/** Why a retry of this failed job cannot succeed, or null when it may. */
function whyNotRetryable(job: QueueJobInfo, run: RunInfo | undefined): string | null {
  if (job.permanent) return 'failed permanently (a retry would fail the same way); fix the cause and start a new run';
  if (run && SINGLE_JOB_RUNS.has(run.kind) && FINISHED.has(run.status)) return `its ${run.kind} run is already ${run.status}; start a new one`;
  return null;
}

export async function getQueueHealth(deps: EngineDeps, actor: Actor, inspector: QueueInspector): Promise<QueueHealthDto[]> {
  requireGlobal(actor, 'ops.view');
  const snapshots = await inspector.snapshot();
  const runById = await loadRuns(deps, snapshots.flatMap((s) => [...s.activeJobs, ...s.recentFailures]));
  const toDto = (job: QueueJobInfo, failed: boolean): QueueJobDto => {
    const runId = runIdOf(job);
    const run = runId ? runById.get(runId) : undefined;
    const imageId = job.data['imageId'];
    return {
      id: job.id,
      name: job.name,
      runId,
      runKind: (run?.kind as QueueJobDto['runKind']) ?? null,
      projectName: run?.project?.name ?? null,
      imageId: typeof imageId === 'number' ? imageId : null,
      attemptsMade: job.attemptsMade,
      at: job.at ? new Date(job.at).toISOString() : null,
      failedReason: job.failedReason,
      notRetryable: failed ? whyNotRetryable(job, run) : null,
    };
  };
  return snapshots.map((s) => {
    const failures = s.recentFailures.map((job) => toDto(job, true));
    // the newest failures are looked at one by one; older ones (past the scan) count as retryable
    const notRetryable = failures.filter((f) => f.notRetryable !== null).length;
    return {
      queue: s.queue,
      jobs: jobsOfQueue(s.queue),
      counts: s.counts,
      workers: s.workers,
      activeJobs: s.activeJobs.map((job) => toDto(job, false)),
      recentFailures: failures.slice(0, FAILURES_SHOWN),
      retryableFailures: Math.max(0, s.counts.failed - notRetryable),
    };
  });
}

/**
 * Puts the failed jobs of a queue that a retry could help back to waiting; permanent failures and
 * jobs of single-job runs that are already closed stay failed (counted as skipped). A run item
 * already counted as failed stays counted (items leave "pending" once), so a retry repairs outputs
 * without double counting.
 */
export async function retryFailedJobs(deps: EngineDeps, actor: Actor, inspector: QueueInspector, input: { queue: string }): Promise<{ queue: string; retried: number; skipped: number }> {
  requireGlobal(actor, 'ops.view');
  if (!inspector.queues.includes(input.queue)) {
    throw new AppError('BAD_REQUEST', `there is no queue named "${input.queue}"; the queues are ${inspector.queues.join(', ')}`);
  }
  const runs = new Map<string, RunInfo | null>();
  const { retried, skipped } = await inspector.retryFailed(input.queue, async (job) => {
    const runId = runIdOf(job);
    if (runId && !runs.has(runId)) runs.set(runId, (await loadRuns(deps, [job])).get(runId) ?? null);
    return whyNotRetryable(job, (runId && runs.get(runId)) || undefined) === null;
  });
  deps.logger.info('failed jobs retried', { queue: input.queue, retried, skipped, actor: actor.email });
  return { queue: input.queue, retried, skipped };
}
