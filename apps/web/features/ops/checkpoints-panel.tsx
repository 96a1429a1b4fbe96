'use client';
// Checkpoints by scope (global, or a project's own) with their lineage; for each evaluated one, the
// comparison with the checkpoint it would replace on one held-out set and the gate's verdict.
// Promote (a confirmation with a reason when the gate did not pass it), roll back per scope, and
// each checkpoint's history; the audit trail of every checkpoint below.
import type { CheckpointDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { CheckpointComparison } from './checkpoint-comparison';
import { scopeGroups, scopeLabel, trainerCard, type ScopeGroup } from './lib/checkpoint-lineage';
import { ReasonDialog } from './reason-dialog';

const COLUMNS = 7;
const f3 = (v: number | null) => (v === null ? '—' : v.toFixed(3));

type Pending = { kind: 'promote'; checkpoint: CheckpointDto } | { kind: 'rollback'; scope: ScopeGroup } | null;

export function CheckpointsPanel({ checkpoints }: { checkpoints: CheckpointDto[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Pending>(null);
  const [history, setHistory] = useState<string | null>(null);
  const events = useQuery(trpc.ops.checkpointEvents.queryOptions({ limit: 12 }));
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.checkpoints.list.queryFilter());
    void queryClient.invalidateQueries(trpc.ops.checkpointEvents.pathFilter());
  };
  const close = () => setPending(null);
  const promote = useMutation(trpc.checkpoints.promote.mutationOptions({ onSettled: refresh, onSuccess: close }));
  const rollback = useMutation(trpc.checkpoints.rollback.mutationOptions({ onSettled: refresh, onSuccess: close }));
  const groups = scopeGroups(checkpoints);
  const rowError = !pending ? (promote.error ?? rollback.error) : null;

  const askPromote = (c: CheckpointDto) => {
    promote.reset();
    if (c.gate?.passed) promote.mutate({ checkpointId: c.id, reason: 'promoted from the ops console (gate passed)' });
    else setPending({ kind: 'promote', checkpoint: c });
  };

  return (
    <section className="panel console-panel" aria-labelledby="checkpoints-title" data-testid="checkpoints-panel">
      <h2 id="checkpoints-title" className="panel-title">
        Checkpoints
      </h2>
      <p className="small muted panel-note">
        One active checkpoint per scope: a project uses its own when it has one, else the global one. Metrics are compared only within one evaluation, where both checkpoints were scored on the same held-out set.
      </p>
      {rowError && (
        <p className="inline-error" role="alert" data-testid="checkpoint-error">
          {errorMessage(rowError)}
        </p>
      )}
      <div className="table-wrap">
        <table className="table table-compact checkpoints-table" data-testid="checkpoints-table">
          <thead>
            <tr>
              <th>Checkpoint (lineage)</th>
              <th>Scope</th>
              <th>Status</th>
              <th>Evaluation</th>
              <th title="the trainer's own numbers on its own val split: not comparable with evaluations">Trainer card (own val split)</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          {groups.map((group) => (
            <tbody key={group.key} data-testid="checkpoint-scope-group" data-scope={group.label}>
              <tr className="scope-row">
                <th colSpan={COLUMNS - 1} scope="rowgroup">
                  {group.projectId ? `Project “${group.label}”` : 'Global'} · active: <strong>{group.active?.name ?? 'none'}</strong>
                </th>
                <td>
                  {group.active && (
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => {
                        rollback.reset();
                        setPending({ kind: 'rollback', scope: group });
                      }}
                      data-testid="checkpoint-rollback"
                    >
                      Roll back…
                    </button>
                  )}
                </td>
              </tr>
              {group.rows.map(({ checkpoint: c, depth, parentName }) => {
                const card = trainerCard(c);
                return (
                  <Fragment key={c.id}>
                    <tr data-testid="checkpoint-row" data-checkpoint-id={c.id} data-name={c.name} data-status={c.status} data-scope={scopeLabel(c)}>
                      <td>
                        <span className="lineage" style={{ paddingLeft: `${depth * 1.1}rem` }}>
                          {depth > 0 && <span aria-hidden>└ </span>}
                          <strong>{c.name}</strong>
                        </span>
                        <div className="small muted" data-testid="checkpoint-parent">
                          {parentName ? `from ${parentName}` : 'root'} · <span className="mono">{c.bundleHash.slice(0, 10)}</span>
                        </div>
                      </td>
                      <td data-testid="checkpoint-scope">{scopeLabel(c)}</td>
                      <td>
                        <span className={`badge badge-ck-${c.status}`}>{c.status}</span>
                      </td>
                      <td className="small" data-testid="checkpoint-evaluation-summary">
                        {c.evaluation ? (
                          <>
                            vs {c.evaluation.baseline.name}
                            {c.evaluation.set && (
                              <>
                                {' '}
                                on <span className="mono">{c.evaluation.set.id}</span> ({c.evaluation.set.images} img, {c.evaluation.set.masks} masks)
                              </>
                            )}
                          </>
                        ) : (
                          <span className="muted">not evaluated</span>
                        )}
                        {c.gate && !c.gate.passed && c.status !== 'active' && (
                          <div className="text-failed" data-testid="checkpoint-gate">
                            needs an override to promote
                          </div>
                        )}
                      </td>
                      <td className="small muted" data-testid="checkpoint-trainer-card">
                        {card ? `mIoU@1 ${f3(card.miou1)} · @3 ${f3(card.miou3)} · @5 ${f3(card.miou5)} · AP ${f3(card.ap50)}` : '—'}
                      </td>
                      <td className="small">{formatDateTime(c.createdAt)}</td>
                      <td className="actions-cell">
                        {(c.status === 'candidate' || c.status === 'retired') && (
                          <button type="button" className="button button-small" disabled={promote.isPending} onClick={() => askPromote(c)} data-testid="checkpoint-promote">
                            {c.gate?.passed ? 'Promote' : 'Promote…'}
                          </button>
                        )}
                        <button type="button" className="button button-small button-quiet" onClick={() => setHistory(history === c.id ? null : c.id)} aria-expanded={history === c.id} data-testid="checkpoint-history-toggle">
                          History
                        </button>
                      </td>
                    </tr>
                    {c.evaluation && (
                      <tr className="comparison-row">
                        <td colSpan={COLUMNS}>
                          <CheckpointComparison evaluation={c.evaluation} />
                        </td>
                      </tr>
                    )}
                    {history === c.id && (
                      <tr className="history-row">
                        <td colSpan={COLUMNS}>
                          <CheckpointHistory checkpointId={c.id} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          ))}
        </table>
      </div>
      <h3 className="subsection-title">Audit trail</h3>
      {events.isError && <QueryError error={events.error} what="the audit trail" />}
      {events.data && <EventList events={events.data} testId="checkpoint-events" />}

      {pending?.kind === 'promote' && (
        <ReasonDialog
          title={`Promote ${pending.checkpoint.name} over the gate?`}
          confirmLabel="Promote anyway"
          pending={promote.isPending}
          error={promote.error ? errorMessage(promote.error) : null}
          onCancel={close}
          onConfirm={(reason) => promote.mutate({ checkpointId: pending.checkpoint.id, reason, overrideGate: true })}
          testId="promote-dialog"
        >
          <p data-testid="promote-dialog-gate">
            The promotion gate did not pass it: <strong>{pending.checkpoint.gate?.reason ?? 'not evaluated'}</strong>
          </p>
          <p className="small muted">
            It becomes the active checkpoint of {pending.checkpoint.projectId ? `project “${scopeLabel(pending.checkpoint)}”` : 'the global scope'}; annotators switch to it at once. The override and your reason go into its history.
          </p>
        </ReasonDialog>
      )}
      {pending?.kind === 'rollback' && (
        <ReasonDialog
          title={`Roll back ${pending.scope.projectId ? `project “${pending.scope.label}”` : 'the global scope'}?`}
          confirmLabel="Roll back"
          pending={rollback.isPending}
          error={rollback.error ? errorMessage(rollback.error) : null}
          onCancel={close}
          onConfirm={(reason) => rollback.mutate({ reason, projectId: pending.scope.projectId })}
          testId="rollback-dialog"
        >
          <p>
            {pending.scope.active?.name} stops being active in this scope; the checkpoint it replaced becomes active again. Other scopes are not touched.
          </p>
        </ReasonDialog>
      )}
    </section>
  );
}

type AuditEvent = { id: string; createdAt: string; action: string; checkpointName: string; fromStatus: string | null; toStatus: string; actor: string | null; reason: string };

function EventList({ events, testId }: { events: AuditEvent[]; testId: string }) {
  return (
    <ul className="audit-list small" data-testid={testId}>
      {events.map((e) => (
        <li key={e.id} data-testid="checkpoint-event" data-action={e.action}>
          <span className="muted">{formatDateTime(e.createdAt)}</span> <strong>{e.action}</strong> {e.checkpointName}: {e.fromStatus ?? 'new'} → {e.toStatus}
          {e.actor && <span className="muted"> by {e.actor}</span>}
          {e.reason && <span className="muted"> — {e.reason}</span>}
        </li>
      ))}
    </ul>
  );
}

function CheckpointHistory({ checkpointId }: { checkpointId: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.ops.checkpointEvents.queryOptions({ limit: 50, checkpointId }));
  if (history.isError) return <QueryError error={history.error} what="the checkpoint's history" />;
  if (!history.data) return <p className="small muted">Loading history…</p>;
  return <EventList events={history.data} testId="checkpoint-history" />;
}
