'use client';
// The ops console: start runs and watch them, queue health, checkpoints, retrain schedules. The
// API refuses every call here to roles other than ops and admin; the page shows that refusal.
import { useQuery } from '@tanstack/react-query';
import { QueryError } from '../../components/error-notice';
import { useTRPC } from '../../lib/trpc';
import { CheckpointsPanel } from './checkpoints-panel';
import { QueuesPanel } from './queues-panel';
import { CONSOLE_REFRESH_MS, RunsPanel } from './runs-panel';
import { SchedulePanel } from './schedule-panel';
import { StartRunPanel } from './start-run-panel';

const SECTIONS = [
  ['runs', 'Runs'],
  ['queues', 'Queues'],
  ['checkpoints', 'Checkpoints'],
  ['schedule', 'Retrain schedule'],
] as const;

export function OpsConsole() {
  const trpc = useTRPC();
  const live = (q: { state: { status: string } }) => (q.state.status === 'error' ? false : CONSOLE_REFRESH_MS);
  // The first call decides: a refusal here shows one notice instead of a page of failed panels.
  const queues = useQuery(trpc.ops.queues.queryOptions(undefined, { refetchInterval: live }));
  const allowed = queues.isSuccess;
  const projects = useQuery(trpc.projects.list.queryOptions(undefined, { enabled: allowed }));
  const checkpoints = useQuery(trpc.checkpoints.list.queryOptions(undefined, { enabled: allowed, refetchInterval: 10_000 }));
  const projectNames = new Map(projects.data?.map((p) => [p.id, p.name]));

  return (
    <div className="console" data-testid="ops-console">
      <div className="page-header">
        <h1>Ops console</h1>
        {allowed && (
          <nav className="console-nav" aria-label="Console sections">
            {SECTIONS.map(([id, label]) => (
              <a key={id} href={`#${id}`}>
                {label}
              </a>
            ))}
          </nav>
        )}
      </div>
      {queues.isError && <QueryError error={queues.error} what="the queues" />}
      {queues.isPending && <p className="muted">Loading…</p>}
      {allowed && (
        <>
          <div className="console-grid" id="runs">
            {projects.data && checkpoints.data ? <StartRunPanel projects={projects.data} checkpoints={checkpoints.data} /> : <p className="muted">Loading projects…</p>}
            <div id="queues">
              <QueuesPanel queues={queues.data} />
            </div>
          </div>
          <RunsPanel projectNames={projectNames} />
          <div id="checkpoints">
            {checkpoints.isError && <QueryError error={checkpoints.error} what="the checkpoints" />}
            {checkpoints.data && <CheckpointsPanel checkpoints={checkpoints.data} />}
          </div>
          <div id="schedule">
            <SchedulePanel />
          </div>
        </>
      )}
    </div>
  );
}
