'use client';
import { useQuery } from '@tanstack/react-query';
import { QueryError } from '../../components/error-notice';
import { useCurrentUser } from '../../components/session-gate';
import { canSeeRuns } from '../../lib/permissions';
import { useTRPC } from '../../lib/trpc';
import { RunsTable } from './runs-table';

export const RUNS_REFRESH_MS = 2_000;
const RUNS_SHOWN = 100;

export function RunsView() {
  const user = useCurrentUser();
  const trpc = useTRPC();
  // Asked even for roles that may not list runs: the API is the authority and its 403 is shown.
  const runs = useQuery(trpc.runs.list.queryOptions({ limit: RUNS_SHOWN }, { refetchInterval: (q) => (q.state.status === 'error' ? false : RUNS_REFRESH_MS) }));
  const projects = useQuery(trpc.projects.list.queryOptions(undefined, { enabled: canSeeRuns(user) }));
  const projectNames = new Map(projects.data?.map((p) => [p.id, p.name]));

  return (
    <>
      <div className="page-header">
        <h1>Runs</h1>
        {runs.data && (
          <span className="muted" data-testid="runs-refresh-note">
            {runs.data.length} most recent · refreshes every {RUNS_REFRESH_MS / 1000} s
          </span>
        )}
      </div>
      {runs.isError && <QueryError error={runs.error} what="the runs" />}
      {runs.isPending && <p className="muted">Loading runs…</p>}
      {runs.data?.length === 0 && <p className="empty">No runs yet.</p>}
      {runs.data && runs.data.length > 0 && <RunsTable runs={runs.data} projectNames={projectNames} />}
    </>
  );
}
