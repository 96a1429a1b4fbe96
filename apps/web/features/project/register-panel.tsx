'use client';
// Register images already in object storage, in place (nothing passes through the browser): a
// bucket prefix, or a pasted list of keys. The registration is an ingest run, followed here until it
// ends: what was listed, registered, already there or skipped, and the objects that failed and why.
import { MAX_REGISTER_KEYS, type RunDto, type SplitChoice } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { isLive } from '../runs/run-format';
import { RunProgress } from '../runs/runs-table';
import { pastedKeys, registerInput, registerSummary, type RegisterForm, type RegisterMode } from './register-source';

const LIVE_REFRESH_MS = 1_000;
const ERRORS_SHOWN = 5;

function RegisterResult({ run }: { run: RunDto }) {
  const summary = registerSummary(run.result);
  return (
    <div className="exchange-run" data-testid="register-run" data-run-id={run.id} data-status={run.status}>
      <div className="exchange-run-line">
        <span className={run.withErrors ? 'badge badge-with-errors' : `badge badge-${run.status}`} data-testid="register-status">
          {run.withErrors ? 'succeeded with errors' : run.status}
        </span>
        <span className="small muted">registration (ingest run)</span>
      </div>
      {isLive(run) && <RunProgress run={run} />}
      {!isLive(run) && summary && (
        <dl className="exchange-summary" data-testid="register-summary">
          <dt>Listed</dt>
          <dd data-testid="register-listed">{summary.listed}</dd>
          <dt>Ingested</dt>
          <dd data-testid="register-done">
            {run.done} of {run.total}
          </dd>
          <dt>Already there</dt>
          <dd data-testid="register-already">{summary.alreadyRegistered}</dd>
          <dt>Skipped</dt>
          <dd data-testid="register-skipped">{summary.skipped}</dd>
          <dt>Failed</dt>
          <dd data-testid="register-failed">{run.failed}</dd>
        </dl>
      )}
      {!isLive(run) && run.summary && <p className="small">{run.summary}</p>}
      {run.error && (
        <p className="inline-error" data-testid="register-error">
          {run.error}
        </p>
      )}
      {summary && summary.errors.length > 0 && (
        <ul className="exchange-errors" aria-label="Objects that failed" data-testid="register-errors">
          {summary.errors.slice(0, ERRORS_SHOWN).map((e) => (
            <li key={e.key}>{e.error}</li>
          ))}
          {run.failed > ERRORS_SHOWN && <li className="muted">… and {run.failed - ERRORS_SHOWN} more (each failed image shows its error)</li>}
        </ul>
      )}
      {summary && summary.skippedExamples.length > 0 && (
        <ul className="exchange-errors exchange-notes" aria-label="Objects skipped" data-testid="register-skipped-examples">
          {summary.skippedExamples.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Shown where ops enabled registering (object storage, REGISTER_SOURCES); nothing otherwise. */
export function RegisterPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const options = useQuery(trpc.images.registerOptions.queryOptions({ projectId }));
  if (!options.data?.available) return null;
  return <RegisterForm projectId={projectId} defaultBucket={options.data.defaultBucket} sources={options.data.sources} />;
}

function RegisterForm({ projectId, defaultBucket, sources }: { projectId: string; defaultBucket: string | null; sources: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<RegisterForm>({ mode: 'prefix', prefix: '', keys: '', bucket: '', split: 'auto' });
  const [problem, setProblem] = useState<string | null>(null);
  const register = useMutation(trpc.images.registerFromStore.mutationOptions());
  const runId = register.data?.id ?? '';
  const run = useQuery(trpc.runs.get.queryOptions({ runId }, { enabled: runId !== '', refetchInterval: (q) => (q.state.data && !isLive(q.state.data) ? false : LIVE_REFRESH_MS) }));
  const current = run.data ?? register.data;
  const busy = register.isPending || (current !== undefined && isLive(current));
  const finished = current !== undefined && !isLive(current);
  useEffect(() => {
    // the new images appear in the grid and the project's counters
    if (!finished) return;
    void queryClient.invalidateQueries(trpc.images.list.pathFilter());
    void queryClient.invalidateQueries(trpc.projects.get.queryFilter({ projectId }));
  }, [finished, queryClient, trpc, projectId]);

  const set = (patch: Partial<RegisterForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const read = registerInput(projectId, form);
    if ('problem' in read) return setProblem(read.problem);
    setProblem(null);
    register.mutate(read.input);
  };
  const keyCount = form.mode === 'keys' ? pastedKeys(form.keys).length : 0;

  return (
    <section className="panel" aria-labelledby="register-title" data-testid="register-panel">
      <h2 id="register-title" className="panel-title">
        Register from storage
      </h2>
      <p className="small muted">Adds images already in object storage without uploading them: they stay where they are and are read from there. Objects already registered are skipped.</p>
      <p className="small muted" data-testid="register-sources">
        Allowed: <span className="mono">{sources.join(', ')}</span>
      </p>
      <form className="exchange-form" onSubmit={submit} data-testid="register-form">
        <fieldset className="exchange-checks" disabled={busy}>
          <legend>Objects</legend>
          {(['prefix', 'keys'] as RegisterMode[]).map((mode) => (
            <label key={mode} className="checkbox">
              <input type="radio" name="register-mode" value={mode} checked={form.mode === mode} onChange={() => set({ mode })} data-testid={`register-mode-${mode}`} />
              {mode === 'prefix' ? 'every image under a prefix' : `a list of keys (at most ${MAX_REGISTER_KEYS})`}
            </label>
          ))}
        </fieldset>
        {form.mode === 'prefix' ? (
          <label className="field">
            <span>Prefix</span>
            <input type="text" value={form.prefix} onChange={(e) => set({ prefix: e.target.value })} placeholder="datasets/shelf/" disabled={busy} spellCheck={false} data-testid="register-prefix" />
          </label>
        ) : (
          <label className="field">
            <span>Keys, one a line{keyCount > 0 ? ` (${keyCount})` : ''}</span>
            <textarea className="mono" rows={5} value={form.keys} onChange={(e) => set({ keys: e.target.value })} placeholder={'datasets/shelf/a.jpg\ndatasets/shelf/b.png'} disabled={busy} spellCheck={false} data-testid="register-keys" />
          </label>
        )}
        <label className="field">
          <span>Bucket</span>
          <input type="text" value={form.bucket} onChange={(e) => set({ bucket: e.target.value })} placeholder={defaultBucket ?? ''} disabled={busy} spellCheck={false} data-testid="register-bucket" />
        </label>
        <label className="field">
          <span>Held-out set</span>
          <select value={form.split} onChange={(e) => set({ split: e.target.value as SplitChoice })} disabled={busy} data-testid="register-split">
            <option value="auto">auto (the project&apos;s val share)</option>
            <option value="train">train</option>
            <option value="val">val</option>
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="register-start">
          {register.isPending ? 'Starting…' : busy ? 'Registering…' : 'Register'}
        </button>
      </form>
      {problem && (
        <p className="inline-error" role="alert" data-testid="register-problem">
          {problem}
        </p>
      )}
      {register.isError && (
        <p className="inline-error" role="alert" data-testid="register-refused">
          {errorMessage(register.error)}
        </p>
      )}
      {run.isError && <p className="inline-error">Could not follow the registration: {errorMessage(run.error)}</p>}
      {current && <RegisterResult run={current} />}
    </section>
  );
}
