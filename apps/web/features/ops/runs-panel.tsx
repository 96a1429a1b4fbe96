'use client';
// The console's runs: live progress (polled), ETA, errors, cancel.
import type { RunDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { RunsTable } from '../runs/runs-table';

export const CONSOLE_REFRESH_MS = 2_000;
const RUNS_SHOWN = 30;

export function RunsPanel({ projectNames }: { projectNames: Map<string, string> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const runs = useQuery(trpc.runs.list.queryOptions({ limit: RUNS_SHOWN }, { refetchInterval: (q) => (q.state.status === 'error' ? false : CONSOLE_REFRESH_MS) }));
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSettled: () => void queryClient.invalidateQueries(trpc.runs.list.queryFilter()) }));
  return (
    <section className="panel console-panel" aria-labelledby="runs-title" data-testid="console-runs">
      <div className="section-header">
        <h2 id="runs-title" className="panel-title">
          Runs
        </h2>
        <span className="muted small">{RUNS_SHOWN} most recent · refreshes every {CONSOLE_REFRESH_MS / 1000} s</span>
      </div>
      {runs.isError && <QueryError error={runs.error} what="the runs" />}
      {cancel.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(cancel.error)}
        </p>
      )}
      {runs.data?.length === 0 && <p className="empty">No runs yet.</p>}
      {runs.data && runs.data.length > 0 && (
        <RunsTable
          runs={runs.data}
          projectNames={projectNames}
          actions={{ cancel: (run: RunDto) => cancel.mutate({ runId: run.id, reason: 'cancelled from the ops console' }), cancelling: cancel.isPending ? (cancel.variables?.runId ?? null) : null }}
        />
      )}
    </section>
  );
}
