'use client';
// Import annotations (COCO JSON, SA-1B JSON, or a tar of either) into the project's existing images:
// the file is uploaded with progress to the import route, then the import run is followed until it
// ends and its result summarised (imported, skipped as already there, failed with the first reasons).
import type { RunDto, SplitChoice } from '@dataengine/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api-error';
import { formatBytes } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { isLive } from '../runs/run-format';
import { RunProgress } from '../runs/runs-table';
import { FormatField } from './format-field';
import { guessImportFormat, IMPORT_ACCEPT, IMPORT_FORMATS, importSummary, type ImportFormat } from './exchange-format';
import { uploadImportFile } from './import-upload';

const LIVE_REFRESH_MS = 1_000;
const ERRORS_SHOWN = 5;

type Upload = { state: 'idle' } | { state: 'uploading'; progress: number } | { state: 'failed'; message: string } | { state: 'sent'; run: RunDto };

function ImportResult({ run }: { run: RunDto }) {
  const summary = importSummary(run.result);
  return (
    <div className="exchange-run" data-testid="import-run" data-run-id={run.id} data-status={run.status}>
      <div className="exchange-run-line">
        <span className={`badge badge-${run.status}`} data-testid="import-status">
          {run.status}
        </span>
        <span className="small muted">import run</span>
      </div>
      {isLive(run) && <RunProgress run={run} />}
      {!isLive(run) && summary && (
        <dl className="exchange-summary" data-testid="import-summary">
          <dt>Imported</dt>
          <dd data-testid="import-imported">{summary.imported}</dd>
          <dt>Already there</dt>
          <dd data-testid="import-skipped">{summary.skipped}</dd>
          <dt>Failed</dt>
          <dd data-testid="import-failed">{summary.failed}</dd>
          <dt>Images matched</dt>
          <dd data-testid="import-images">
            {summary.images.matched} of {summary.images.total}
          </dd>
        </dl>
      )}
      {run.error && (
        <p className="inline-error" data-testid="import-error">
          {run.error}
        </p>
      )}
      {summary && summary.errors.length > 0 && (
        <ul className="exchange-errors" aria-label="First problems" data-testid="import-errors">
          {summary.errors.slice(0, ERRORS_SHOWN).map((message, i) => (
            <li key={i}>{message}</li>
          ))}
          {summary.errors.length > ERRORS_SHOWN && <li className="muted">… and {summary.errors.length - ERRORS_SHOWN} more</li>}
        </ul>
      )}
    </div>
  );
}

export function ImportPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat>('coco');
  const [split, setSplit] = useState<SplitChoice>('auto');
  const [upload, setUpload] = useState<Upload>({ state: 'idle' });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const sentRunId = upload.state === 'sent' ? upload.run.id : '';
  const run = useQuery(
    trpc.runs.get.queryOptions({ runId: sentRunId }, { enabled: sentRunId !== '', refetchInterval: (q) => (q.state.data && !isLive(q.state.data) ? false : LIVE_REFRESH_MS) }),
  );
  const current = run.data ?? (upload.state === 'sent' ? upload.run : undefined);
  const finished = current !== undefined && !isLive(current);
  useEffect(() => {
    // new masks change the image tiles and the project's counters
    if (!finished) return;
    void queryClient.invalidateQueries(trpc.images.list.pathFilter());
    void queryClient.invalidateQueries(trpc.projects.get.queryFilter({ projectId }));
  }, [finished, queryClient, trpc, projectId]);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0] ?? null;
    setFile(chosen);
    if (chosen) setFormat(guessImportFormat(chosen.name));
  };
  const busy = upload.state === 'uploading' || (current !== undefined && isLive(current));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || busy) return;
    abort.current = new AbortController();
    setUpload({ state: 'uploading', progress: 0 });
    try {
      const started = await uploadImportFile({ projectId, format, file, split, signal: abort.current.signal, onProgress: (progress) => setUpload({ state: 'uploading', progress }) });
      setUpload({ state: 'sent', run: started });
    } catch (error) {
      setUpload({ state: 'failed', message: errorMessage(error) });
    }
  };

  return (
    <section className="panel" aria-labelledby="import-title" data-testid="import-panel">
      <h2 id="import-title" className="panel-title">
        Import annotations
      </h2>
      <p className="small muted">Adds masks to images already in the project, matched by content, then by file name. Masks already there are skipped.</p>
      <form className="exchange-form" onSubmit={submit} data-testid="import-form">
        <label className="field">
          <span>File</span>
          <input type="file" accept={IMPORT_ACCEPT} onChange={onFile} disabled={busy} data-testid="import-file" />
        </label>
        {file && (
          <span className="small muted" data-testid="import-file-size">
            {file.name} · {formatBytes(file.size)}
          </span>
        )}
        <FormatField value={format} formats={IMPORT_FORMATS} onChange={(f: ImportFormat) => setFormat(f)} disabled={busy} testId="import-format" />
        <label className="field">
          <span>Held-out set</span>
          <select value={split} onChange={(e) => setSplit(e.target.value as SplitChoice)} disabled={busy} data-testid="import-split">
            <option value="auto">auto (images stay where they are)</option>
            <option value="train">move the annotated images to train</option>
            <option value="val">move the annotated images to val</option>
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={!file || busy} data-testid="import-start">
          {upload.state === 'uploading' ? 'Uploading…' : busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      {upload.state === 'uploading' && (
        <div className="exchange-upload" data-testid="import-upload">
          <progress max={1} value={upload.progress} aria-label="Upload progress" />
          <span className="small">uploading {Math.round(upload.progress * 100)}%</span>
        </div>
      )}
      {upload.state === 'failed' && (
        <p className="inline-error" role="alert" data-testid="import-upload-error">
          {upload.message}
        </p>
      )}
      {run.isError && <p className="inline-error">Could not follow the import: {errorMessage(run.error)}</p>}
      {current && <ImportResult run={current} />}
    </section>
  );
}
