'use client';
// Queue health: BullMQ's counts per queue, the workers connected to it and what they run now,
// and a retry of the queue's failed jobs that a retry could help (the API says which cannot).
import type { QueueHealthDto } from './lib/ops-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

const COUNTS = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

function jobLabel(job: QueueHealthDto['activeJobs'][number]): string {
  return [job.name, job.projectName, job.imageId !== null ? `image ${job.imageId}` : null, job.runId ? `run ${job.runId.slice(0, 8)}` : null].filter(Boolean).join(' · ');
}

export function QueuesPanel({ queues }: { queues: QueueHealthDto[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const retry = useMutation(trpc.ops.retryFailed.mutationOptions({ onSettled: () => void queryClient.invalidateQueries(trpc.ops.queues.queryFilter()) }));
  const failures = queues.flatMap((q) => q.recentFailures.map((f) => ({ queue: q.queue, ...f })));
  return (
    <section className="panel console-panel" aria-labelledby="queues-title" data-testid="queues-panel">
      <h2 id="queues-title" className="panel-title">
        Queues
      </h2>
      <div className="table-wrap">
        <table className="table table-numbers table-compact queues-table" data-testid="queues-table">
          <thead>
            <tr>
              <th>Queue</th>
              {COUNTS.map((c) => (
                <th key={c}>{c}</th>
              ))}
              <th>Workers</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <tr key={q.queue} data-testid="queue-row" data-queue={q.queue}>
                <td>
                  <strong>{q.queue}</strong>
                  <div className="small muted">{q.jobs.join(', ')}</div>
                  {q.activeJobs.map((job) => (
                    <div key={job.id} className="small running-job" data-testid="queue-active-job">
                      ▶ {jobLabel(job)}
                    </div>
                  ))}
                </td>
                {COUNTS.map((c) => (
                  <td key={c} className={c === 'failed' && q.counts.failed > 0 ? 'text-failed' : undefined}>
                    <span data-metric={c}>{q.counts[c]}</span>
                    {c === 'failed' && q.counts.failed > q.retryableFailures && (
                      <span className="small muted" data-testid="queue-permanent" title="failed for good: a retry would fail the same way, or their run is already closed">
                        {' '}
                        ({q.counts.failed - q.retryableFailures} final)
                      </span>
                    )}
                    {c === 'failed' && q.retryableFailures > 0 && (
                      <button
                        type="button"
                        className="button button-small retry-button"
                        disabled={retry.isPending}
                        onClick={() => retry.mutate({ queue: q.queue })}
                        title="Move this queue's failed jobs that a retry could help back to waiting"
                        data-testid="queue-retry"
                      >
                        Retry {q.retryableFailures}
                      </button>
                    )}
                  </td>
                ))}
                <td data-metric="workers" title={q.workers.map((w) => `${w.name} (${w.addr}, up ${w.ageSeconds} s)`).join('\n')}>
                  {q.workers.length}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {retry.data && (
        <p className="small muted" data-testid="queue-retry-result">
          {retry.data.retried} failed job{retry.data.retried === 1 ? '' : 's'} of {retry.data.queue} back in the queue
          {retry.data.skipped > 0 && `; ${retry.data.skipped} left failed (a retry cannot help them)`}.
        </p>
      )}
      {retry.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(retry.error)}
        </p>
      )}
      {failures.length > 0 && (
        <details className="failures">
          <summary>Recent failures ({failures.length})</summary>
          <ul className="small">
            {failures.map((f) => (
              <li key={`${f.queue}-${f.id}`} data-testid="queue-failure" data-retryable={f.notRetryable === null ? 'yes' : 'no'}>
                <span className="mono">{f.queue}</span> {jobLabel(f)}: <span className="text-failed">{f.failedReason ?? 'no reason recorded'}</span>
                {f.notRetryable && <span className="muted"> — not retried: {f.notRetryable}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
