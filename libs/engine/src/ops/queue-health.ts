// Queue health for the ops console: BullMQ's counts and workers per queue, and the jobs running or
// failed there resolved to the runs (and projects) they belong to.
import { AppError } from '@dataengine/contracts';
import { jobCatalog, type QueueInspector, type QueueJobInfo } from '@dataengine/queue';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { assertGlobalRole } from '../access/project-access';
import type { QueueHealthDto, QueueJobDto } from './ops-schema';

const OPS_ROLES = ['ops', 'admin'] as const;

const jobsOfQueue = (queue: string) =>
  Object.entries(jobCatalog)
    .filter(([, d]) => d.queue === queue)
    .map(([name]) => name);

export async function getQueueHealth(deps: EngineDeps, actor: Actor, inspector: QueueInspector): Promise<QueueHealthDto[]> {
  assertGlobalRole(actor, [...OPS_ROLES], 'queue health');
  const snapshots = await inspector.snapshot();
  const jobs = snapshots.flatMap((s) => [...s.activeJobs, ...s.recentFailures]);
  const runIds = [...new Set(jobs.map((j) => j.data['runId']).filter((id): id is string => typeof id === 'string'))];
  const runs = runIds.length
    ? await deps.db.run.findMany({ where: { id: { in: runIds } }, select: { id: true, kind: true, project: { select: { name: true } } } })
    : [];
  const runById = new Map(runs.map((r) => [r.id, r]));
  const toDto = (job: QueueJobInfo): QueueJobDto => {
    const runId = typeof job.data['runId'] === 'string' ? job.data['runId'] : null;
    const run = runId ? runById.get(runId) : undefined;
    const imageId = job.data['imageId'];
    return {
      id: job.id,
      name: job.name,
      runId,
      runKind: run?.kind ?? null,
      projectName: run?.project?.name ?? null,
      imageId: typeof imageId === 'number' ? imageId : null,
      attemptsMade: job.attemptsMade,
      at: job.at ? new Date(job.at).toISOString() : null,
      failedReason: job.failedReason,
    };
  };
  return snapshots.map((s) => ({
    queue: s.queue,
    jobs: jobsOfQueue(s.queue),
    counts: s.counts,
    workers: s.workers,
    activeJobs: s.activeJobs.map(toDto),
    recentFailures: s.recentFailures.map(toDto),
  }));
}

/**
 * Puts every failed job of a queue back to waiting. A run item already counted as failed stays
 * counted (items leave "pending" once), so a retry repairs outputs without double counting.
 */
export async function retryFailedJobs(deps: EngineDeps, actor: Actor, inspector: QueueInspector, input: { queue: string }): Promise<{ queue: string; retried: number }> {
  assertGlobalRole(actor, [...OPS_ROLES], 'retrying failed jobs');
  if (!inspector.queues.includes(input.queue)) {
    throw new AppError('BAD_REQUEST', `there is no queue named "${input.queue}"; the queues are ${inspector.queues.join(', ')}`);
  }
  const retried = await inspector.retryFailed(input.queue);
  deps.logger.info('failed jobs retried', { queue: input.queue, retried, actor: actor.email });
  return { queue: input.queue, retried };
}
