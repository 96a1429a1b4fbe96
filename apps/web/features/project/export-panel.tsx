'use client';
// Export the project's masks (SA-1B, COCO RLE, COCO polygons) as an export run; the panel follows
// the project's export runs (polled while one is live) and offers each finished one's file.
import type { RunDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api-error';
import { formatBytes, formatDateTime } from '../../lib/format';
import { useSavedSelection } from '../../lib/saved-selection';
import { useTRPC } from '../../lib/trpc';
import { ImageSelectionFields } from '../ops/image-selection-fields';
import { DEFAULT_RUN_FORM, selectionOf, type RunFormValues } from '../ops/lib/run-form';
import { artifactUrl, hasDownload, isLive } from '../runs/run-format';
import { RunProgress } from '../runs/runs-table';
import { FormatField } from './format-field';
import { buildExportInput, DEFAULT_EXPORT_FORM, EXPORT_FORMATS, exportSummary, PROVENANCES, type ExportFormValues, type Provenance } from './exchange-format';

const LIVE_REFRESH_MS = 1_000;
/** runs.list holds every kind; enough recent runs to find the last few exports among them */
const RUNS_SCANNED = 100;
const EARLIER_SHOWN = 3;

function DownloadLink({ run, primary }: { run: RunDto; primary?: boolean }) {
  const summary = exportSummary(run.result);
  return (
    <a href={artifactUrl(run.id)} download className={primary ? 'button button-primary exchange-download' : 'small'} data-testid="export-download" data-run-id={run.id}>
      Download{primary && summary?.fileName ? ` ${summary.fileName}` : ''}
      {summary && summary.bytes > 0 ? ` (${formatBytes(summary.bytes)})` : ''}
    </a>
  );
}

function LatestExport({ run, onCancel, cancelling }: { run: RunDto; onCancel(): void; cancelling: boolean }) {
  const summary = exportSummary(run.result);
  const format = EXPORT_FORMATS.find((f) => f.value === run.params['format'])?.label ?? String(run.params['format'] ?? '');
  return (
    <div className="exchange-run" data-testid="export-run" data-run-id={run.id} data-status={run.status}>
      <div className="exchange-run-line">
        <span className={`badge badge-${run.status}`} data-testid="export-status">
          {run.status}
        </span>
        <span className="small muted">
          {format} · {formatDateTime(run.createdAt)}
        </span>
      </div>
      {(isLive(run) || run.status !== 'succeeded') && <RunProgress run={run} />}
      {isLive(run) && (
        <button type="button" className="button button-small" onClick={onCancel} disabled={cancelling || run.cancelRequestedAt !== null} data-testid="export-cancel">
          {run.cancelRequestedAt || cancelling ? 'Cancelling…' : 'Cancel export'}
        </button>
      )}
      {run.error && (
        <p className="inline-error" data-testid="export-error">
          {run.error}
        </p>
      )}
      {run.status === 'succeeded' && summary && (
        <p className="small" data-testid="export-summary">
          {summary.annotations} mask{summary.annotations === 1 ? '' : 's'} of {summary.images} image{summary.images === 1 ? '' : 's'}
        </p>
      )}
      {hasDownload(run) && <DownloadLink run={run} primary />}
    </div>
  );
}

export function ExportPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<ExportFormValues>(DEFAULT_EXPORT_FORM);
  // which images: the run forms' filter (stage, status, no masks yet, split, the tiles picked in the grid)
  const [chosen, setChosen] = useState<RunFormValues>(DEFAULT_RUN_FORM);
  const saved = useSavedSelection(projectId).ids;
  const selection = selectionOf(chosen, saved);
  const [formError, setFormError] = useState<string | null>(null);
  const runs = useQuery(
    trpc.runs.list.queryOptions(
      { projectId, limit: RUNS_SCANNED },
      { refetchInterval: (q) => (q.state.data?.some((r) => r.kind === 'export' && isLive(r)) ? LIVE_REFRESH_MS : false) },
    ),
  );
  const start = useMutation(trpc.runs.start.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.runs.list.queryFilter({ projectId, limit: RUNS_SCANNED })) }));
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.runs.list.queryFilter({ projectId, limit: RUNS_SCANNED })) }));
  const exports = (runs.data ?? []).filter((r) => r.kind === 'export');
  // the run just started shows at once, before the list has been asked again
  const latest = start.data && !exports.some((r) => r.id === start.data.id) ? start.data : exports[0];
  const earlier = exports.filter((r) => r.id !== latest?.id).slice(0, EARLIER_SHOWN);
  const busy = start.isPending || (latest !== undefined && isLive(latest));

  const set = <K extends keyof ExportFormValues>(key: K, value: ExportFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const toggle = (p: Provenance, on: boolean) => set('provenance', on ? [...values.provenance, p] : values.provenance.filter((x) => x !== p));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildExportInput(projectId, values, selection);
    if (!built.ok) return setFormError(built.error);
    setFormError(null);
    start.mutate(built.input);
  };

  return (
    <section className="panel" aria-labelledby="export-title" data-testid="export-panel">
      <h2 id="export-title" className="panel-title">
        Export masks
      </h2>
      <form className="exchange-form" onSubmit={submit} data-testid="export-form">
        <FormatField value={values.format} formats={EXPORT_FORMATS} onChange={(f) => set('format', f)} testId="export-format" />
        <p className="small muted">{EXPORT_FORMATS.find((f) => f.value === values.format)?.help}</p>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={values.format === 'sa1b' || values.includeImages}
            disabled={values.format === 'sa1b'}
            onChange={(e) => set('includeImages', e.target.checked)}
            data-testid="export-include-images"
          />{' '}
          include the images {values.format === 'sa1b' ? '(always, in SA-1B)' : '(a tar instead of one JSON)'}
        </label>
        <ImageSelectionFields kind="export" projectId={projectId} values={chosen} set={(key, value) => setChosen((v) => ({ ...v, [key]: value }))} saved={saved} selection={selection} advanced={false} />
        <fieldset className="exchange-checks">
          <legend>Masks by provenance</legend>
          {PROVENANCES.map((p) => (
            <label key={p} className="checkbox">
              <input type="checkbox" checked={values.provenance.includes(p)} onChange={(e) => toggle(p, e.target.checked)} data-testid={`export-provenance-${p}`} /> {p}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="export-start">
          {start.isPending ? 'Starting…' : busy ? 'Exporting…' : 'Start export'}
        </button>
        {formError && (
          <p className="inline-error" role="alert" data-testid="export-form-error">
            {formError}
          </p>
        )}
        {start.isError && (
          <p className="inline-error" role="alert" data-testid="export-form-error">
            {errorMessage(start.error)}
          </p>
        )}
      </form>
      {runs.isError && <p className="inline-error">Could not load the exports: {errorMessage(runs.error)}</p>}
      {latest && <LatestExport run={latest} onCancel={() => cancel.mutate({ runId: latest.id, reason: 'cancelled from the project page' })} cancelling={cancel.isPending} />}
      {cancel.isError && <p className="inline-error">Could not cancel the export: {errorMessage(cancel.error)}</p>}
      {earlier.length > 0 && (
        <ul className="exchange-history" aria-label="Earlier exports" data-testid="export-history">
          {earlier.map((run) => (
            <li key={run.id} data-run-id={run.id}>
              <span className="small">
                {String(run.params['format'] ?? '')} · {formatDateTime(run.createdAt)} · {run.status}
              </span>
              {hasDownload(run) && <DownloadLink run={run} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
