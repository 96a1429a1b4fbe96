// What the ops console shows per queue: BullMQ's job counts, the workers connected to it (BullMQ
// names worker connections after their queue, so CLIENT LIST finds them) and the jobs they run now.
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobCatalog, queueNames, type JobDefinition } from './job-catalog';

export interface QueueJobCounts {
  /** ready to run: BullMQ's `wait` plus `prioritized` (embed jobs carry priorities) */
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface QueueWorkerInfo {
  name: string;
  addr: string;
  ageSeconds: number;
  idleSeconds: number;
}

export interface QueueJobInfo {
  id: string;
  name: string;
  data: Record<string, unknown>;
  attemptsMade: number;
  /** ms since epoch: when it started (active jobs) or ended (failed jobs) */
  at: number | null;
  failedReason: string | null;
  /** failed jobs: its last failure was final by design (PermanentJobError / UnrecoverableError), so a retry would fail the same way */
  permanent: boolean;
}

export interface QueueSnapshot {
  queue: string;
  counts: QueueJobCounts;
  workers: QueueWorkerInfo[];
  activeJobs: QueueJobInfo[];
  /** the newest failed jobs, newest first (at most FAILURES_SCANNED) */
  recentFailures: QueueJobInfo[];
}

export interface QueueInspector {
  readonly queues: string[];
  snapshot(): Promise<QueueSnapshot[]>;
  /**
   * Moves the failed jobs of a queue back to waiting — those `accept` takes (default: every one
   * whose failure was not permanent); says how many moved and how many stayed failed.
   */
  retryFailed(queue: string, accept?: (job: QueueJobInfo) => boolean | Promise<boolean>): Promise<{ retried: number; skipped: number }>;
  close(): Promise<void>;
}

/** Enough to see what runs now, and what failed lately, without loading whole job lists into the console. */
const JOBS_SHOWN = 20;
const FAILURES_SCANNED = 50;
const RETRY_PAGE = 100;

/**
 * BullMQ keeps no flag for an unrecoverable failure, but it keeps the error's stack, whose first
 * line names the error class (PermanentJobError extends BullMQ's UnrecoverableError).
 */
const PERMANENT_STACK = /^(PermanentJobError|UnrecoverableError)\b/;

function jobInfo(job: Job, at: number | undefined): QueueJobInfo {
  const lastStack = job.stacktrace?.at(-1) ?? '';
  return {
    id: job.id ?? '',
    name: job.name,
    data: (job.data ?? {}) as Record<string, unknown>,
    attemptsMade: job.attemptsMade,
    at: at ?? null,
    failedReason: job.failedReason ? job.failedReason.slice(0, 500) : null,
    permanent: PERMANENT_STACK.test(lastStack),
  };
}

export function createQueueInspector(options: { connection: Redis; prefix: string; catalog?: Record<string, JobDefinition> }): QueueInspector {
  const names = queueNames(options.catalog ?? jobCatalog);
  const queues = new Map<string, Queue>();
  const queueFor = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: options.connection, prefix: options.prefix });
      queue.on('error', () => undefined); // surfaces on the commands below
      queues.set(name, queue);
    }
    return queue;
  };

  const snapshotOf = async (name: string): Promise<QueueSnapshot> => {
    const queue = queueFor(name);
    const [counts, clients, active, failed] = await Promise.all([
      queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed', 'completed'),
      queue.getWorkers(),
      queue.getActive(0, JOBS_SHOWN - 1),
      queue.getFailed(0, FAILURES_SCANNED - 1),
    ]);
    const n = (key: string) => counts[key] ?? 0;
    return {
      queue: name,
      counts: { waiting: n('wait') + n('prioritized'), active: n('active'), delayed: n('delayed'), failed: n('failed'), completed: n('completed') },
      workers: clients.map((c) => ({ name: c['name'] ?? '', addr: c['addr'] ?? '', ageSeconds: Number(c['age'] ?? 0), idleSeconds: Number(c['idle'] ?? 0) })),
      activeJobs: active.map((job) => jobInfo(job, job.processedOn)),
      recentFailures: failed.map((job) => jobInfo(job, job.finishedOn)),
    };
  };

  return {
    queues: names,
    snapshot: () => Promise.all(names.map(snapshotOf)),
    async retryFailed(name, accept = (job) => !job.permanent) {
      if (!names.includes(name)) throw new Error(`unknown queue ${name}`);
      const queue = queueFor(name);
      // the failed set as it is now (a retried job that fails again at once is not taken twice)
      const failed: Job[] = [];
      for (let start = 0; ; start += RETRY_PAGE) {
        const page = await queue.getFailed(start, start + RETRY_PAGE - 1);
        failed.push(...page);
        if (page.length < RETRY_PAGE) break;
      }
      let retried = 0;
      for (const job of failed) {
        if (!(await accept(jobInfo(job, job.finishedOn)))) continue;
        await job.retry('failed');
        retried++;
      }
      return { retried, skipped: failed.length - retried };
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
