'use client';
// Checkpoints with their lineage and metrics side by side; promote, roll back, and the audit trail.
import type { CheckpointDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { comparableMetrics, lineageRows, type ComparableMetrics } from './lib/checkpoint-lineage';

const METRICS: { key: keyof Omit<ComparableMetrics, 'source'>; label: string; better: 'high' | 'low' }[] = [
  { key: 'miou1', label: 'mIoU@1', better: 'high' },
  { key: 'miou3', label: 'mIoU@3', better: 'high' },
  { key: 'miou5', label: 'mIoU@5', better: 'high' },
  { key: 'noc90', label: 'NoC@90', better: 'low' },
  { key: 'ap50', label: 'AP@0.5', better: 'high' },
];

const fmt = (v: number | null, key: string) => (v === null ? '—' : key === 'noc90' ? v.toFixed(2) : v.toFixed(3));

export function CheckpointsPanel({ checkpoints }: { checkpoints: CheckpointDto[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const events = useQuery(trpc.ops.checkpointEvents.queryOptions({ limit: 12 }));
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.checkpoints.list.queryFilter());
    void queryClient.invalidateQueries(trpc.ops.checkpointEvents.queryFilter());
  };
  const promote = useMutation(trpc.checkpoints.promote.mutationOptions({ onSettled: refresh }));
  const rollback = useMutation(trpc.checkpoints.rollback.mutationOptions({ onSettled: refresh }));
  const rows = lineageRows(checkpoints);
  const metrics = new Map(checkpoints.map((c) => [c.id, comparableMetrics(c)]));
  const best = Object.fromEntries(
    METRICS.map((m) => {
      const values = [...metrics.values()].map((x) => x[m.key]).filter((v): v is number => v !== null);
      return [m.key, values.length > 1 ? (m.better === 'high' ? Math.max(...values) : Math.min(...values)) : null];
    }),
  );
  const error = promote.error ?? rollback.error;

  return (
    <section className="panel console-panel" aria-labelledby="checkpoints-title" data-testid="checkpoints-panel">
      <div className="section-header">
        <h2 id="checkpoints-title" className="panel-title">
          Checkpoints
        </h2>
        <div className="inline-actions">
          <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="reason (recorded in the audit trail)" aria-label="Reason" data-testid="checkpoint-reason" />
          <button type="button" className="button" disabled={rollback.isPending || reason.trim() === ''} onClick={() => rollback.mutate({ reason: reason.trim() })} data-testid="checkpoint-rollback">
            Roll back
          </button>
        </div>
      </div>
      {error && (
        <p className="inline-error" role="alert" data-testid="checkpoint-error">
          {errorMessage(error)}
        </p>
      )}
      <div className="table-wrap">
        <table className="table table-numbers table-compact" data-testid="checkpoints-table">
          <thead>
            <tr>
              <th>Checkpoint (lineage)</th>
              <th>Status</th>
              {METRICS.map((m) => (
                <th key={m.key} title={m.better === 'high' ? 'higher is better' : 'lower is better'}>
                  {m.label}
                </th>
              ))}
              <th>Metrics from</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {rows.map(({ checkpoint: c, depth, parentName }) => {
              const m = metrics.get(c.id)!;
              return (
                <tr key={c.id} data-testid="checkpoint-row" data-checkpoint-id={c.id} data-name={c.name} data-status={c.status}>
                  <td>
                    <span className="lineage" style={{ paddingLeft: `${depth * 1.1}rem` }}>
                      {depth > 0 && <span aria-hidden>└ </span>}
                      <strong>{c.name}</strong>
                    </span>
                    <div className="small muted" data-testid="checkpoint-parent">
                      {parentName ? `from ${parentName}` : 'root'} · <span className="mono">{c.bundleHash.slice(0, 10)}</span>
                    </div>
                  </td>
                  <td>
                    <span className={`badge badge-ck-${c.status}`}>{c.status}</span>
                  </td>
                  {METRICS.map((metric) => (
                    <td key={metric.key} data-metric={metric.key} className={m[metric.key] !== null && m[metric.key] === best[metric.key] ? 'best-metric' : undefined}>
                      {fmt(m[metric.key], metric.key)}
                    </td>
                  ))}
                  <td className="small">{m.source ?? '—'}</td>
                  <td className="small">{formatDateTime(c.createdAt)}</td>
                  <td>
                    {(c.status === 'candidate' || c.status === 'retired') && (
                      <button
                        type="button"
                        className="button button-small"
                        disabled={promote.isPending}
                        onClick={() => promote.mutate({ checkpointId: c.id, reason: reason.trim() || 'promoted from the ops console' })}
                        data-testid="checkpoint-promote"
                      >
                        Promote
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3 className="subsection-title">Audit trail</h3>
      {events.isError && <QueryError error={events.error} what="the audit trail" />}
      {events.data && (
        <ul className="audit-list small" data-testid="checkpoint-events">
          {events.data.map((e) => (
            <li key={e.id} data-testid="checkpoint-event">
              <span className="muted">{formatDateTime(e.createdAt)}</span> <strong>{e.action}</strong> {e.checkpointName}: {e.fromStatus ?? 'new'} → {e.toStatus}
              {e.actor && <span className="muted"> by {e.actor}</span>}
              {e.reason && <span className="muted"> — {e.reason}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
