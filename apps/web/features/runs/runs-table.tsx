import type { RunDto } from '@dataengine/contracts';
import Link from 'next/link';
import { formatDateTime, formatDuration, runFraction } from '../../lib/format';

function RunProgress({ run }: { run: RunDto }) {
  const pct = (n: number) => (run.total > 0 ? (100 * n) / run.total : 0);
  return (
    <div className="run-progress" data-testid="run-progress">
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={run.total} aria-valuenow={run.done + run.failed} aria-label="Run progress">
        <span className="progress-done" style={{ width: `${pct(run.done)}%` }} />
        <span className="progress-failed" style={{ width: `${pct(run.failed)}%` }} />
      </div>
      <span className="small" data-testid="run-counts">
        {run.done}/{run.total} done{run.failed > 0 && <span className="text-failed">, {run.failed} failed</span>}
        {run.total > 0 && run.status === 'running' && ` (${Math.round(runFraction(run) * 100)}%)`}
      </span>
    </div>
  );
}

function RunRow({ run, projectName }: { run: RunDto; projectName: string | undefined }) {
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-kind={run.kind} data-status={run.status}>
      <td className="mono">{run.kind}</td>
      <td>{run.projectId ? <Link href={`/projects/${run.projectId}`}>{projectName ?? run.projectId.slice(0, 8)}</Link> : '—'}</td>
      <td>
        <span className={`badge badge-${run.status}`} data-testid="run-status">
          {run.status}
        </span>
        {run.error && <div className="small text-failed">{run.error}</div>}
      </td>
      <td>
        <RunProgress run={run} />
      </td>
      <td className="small">{run.createdBy ?? 'system'}</td>
      <td className="small">{formatDateTime(run.createdAt)}</td>
      <td className="small">{formatDuration(run.startedAt, run.finishedAt)}</td>
    </tr>
  );
}

export function RunsTable({ runs, projectNames }: { runs: RunDto[]; projectNames: Map<string, string> }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="runs-table">
        <thead>
          <tr>
            <th>Kind</th>
            <th>Project</th>
            <th>Status</th>
            <th>Progress</th>
            <th>Started by</th>
            <th>Created</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} projectName={run.projectId ? projectNames.get(run.projectId) : undefined} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
