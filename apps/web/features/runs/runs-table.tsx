import type { RunDto } from '@dataengine/contracts';
import Link from 'next/link';
import { formatDateTime, formatDuration, runFraction } from '../../lib/format';
import { artifactUrl, formatEta, hasDownload, isLive, progressDetail, splitError } from './run-format';

export function RunProgress({ run }: { run: RunDto }) {
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
      {run.progress && isLive(run) && (
        <span className="small muted" data-testid="run-progress-detail">
          {progressDetail(run.progress)}
        </span>
      )}
    </div>
  );
}

/** What a runs table may offer besides reading: cancelling live runs (the ops console). */
export interface RunActions {
  cancel(run: RunDto): void;
  /** id of the run whose cancel request is on its way */
  cancelling: string | null;
}

function RunRow({ run, projectName, actions }: { run: RunDto; projectName: string | undefined; actions?: RunActions }) {
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-kind={run.kind} data-status={run.status} data-with-errors={run.withErrors ? 'true' : 'false'}>
      <td className="mono">{run.kind}</td>
      <td>{run.projectId ? <Link href={`/projects/${run.projectId}`}>{projectName ?? run.projectId.slice(0, 8)}</Link> : '—'}</td>
      <td>
        <span className={run.withErrors ? 'badge badge-with-errors' : `badge badge-${run.status}`} data-testid="run-status">
          {run.withErrors ? 'succeeded with errors' : run.status}
        </span>
        {run.summary && (
          <div className="small run-summary" data-testid="run-summary">
            {run.summary}
          </div>
        )}
        {run.error && <RunError error={run.error} />}
        {hasDownload(run) && (
          <div>
            <a href={artifactUrl(run.id)} download className="small" data-testid="run-download">
              Download
            </a>
          </div>
        )}
      </td>
      <td>
        <RunProgress run={run} />
      </td>
      <td className="small">{run.createdBy ?? 'system'}</td>
      <td className="small nowrap" title={run.createdAt}>
        <span className="run-date" data-testid="run-created">
          {formatDateTime(run.createdAt)}
        </span>
      </td>
      <td className="small">{formatDuration(run.startedAt, run.finishedAt)}</td>
      <td className="small" data-testid="run-eta">
        {formatEta(run.etaSeconds)}
      </td>
      {actions && (
        <td>
          {isLive(run) && (
            <button type="button" className="button button-small" onClick={() => actions.cancel(run)} disabled={actions.cancelling === run.id || run.cancelRequestedAt !== null} data-testid="run-cancel">
              {run.cancelRequestedAt ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

/** The run's error line; long technical detail folds behind "details". */
function RunError({ error }: { error: string }) {
  const [head, detail] = splitError(error);
  return (
    <div className="small text-failed" data-testid="run-error">
      {head}
      {detail && (
        <details className="error-details">
          <summary>details</summary>
          <span className="mono">{detail}</span>
        </details>
      )}
    </div>
  );
}

export function RunsTable({ runs, projectNames, actions }: { runs: RunDto[]; projectNames: Map<string, string>; actions?: RunActions }) {
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
            <th>ETA</th>
            {actions && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} projectName={run.projectId ? projectNames.get(run.projectId) : undefined} actions={actions} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
