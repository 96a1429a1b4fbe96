'use client';
import type { SplitChoice } from '@dataengine/contracts';
import { useState, type ChangeEvent } from 'react';
import { formatBytes } from '../../lib/format';
import { useUploadBatch, type UploadItem } from './use-upload-batch';

const STATE_LABEL: Record<UploadItem['state'], string> = {
  queued: 'waiting',
  uploading: 'uploading',
  stored: 'uploaded',
  duplicate: 'duplicate',
  failed: 'failed',
};

function UploadRow({ item }: { item: UploadItem }) {
  return (
    <li className={`upload-item upload-${item.state}`} data-testid="upload-item" data-state={item.state} data-file-name={item.name}>
      <div className="upload-line">
        <span className="upload-name" title={item.name}>
          {item.name}
        </span>
        <span className="muted">{formatBytes(item.size)}</span>
      </div>
      {/* a refused file's bar stops where it was and turns red */}
      <progress max={1} value={item.progress} aria-label={`${item.name} upload progress`} className={item.state === 'failed' ? 'progress-failed' : undefined} data-testid="upload-progress" />
      <div className="upload-state" data-testid="upload-state">
        {STATE_LABEL[item.state]}
        {item.state === 'uploading' && ` ${Math.round(item.progress * 100)}%`}
      </div>
      {item.message && (
        <div className={item.state === 'failed' ? 'inline-error' : 'muted'} data-testid="upload-message">
          {item.message}
        </div>
      )}
      {item.detail && (
        <details className="small upload-detail" data-testid="upload-detail">
          <summary>details</summary>
          <span className="mono">{item.detail}</span>
        </details>
      )}
    </li>
  );
}

export function UploadPanel({ projectId }: { projectId: string }) {
  const { items, busy, start } = useUploadBatch(projectId);
  const [split, setSplit] = useState<SplitChoice>('auto');
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(event.target.files ?? []);
    event.target.value = '';
    void start(files, split);
  };
  return (
    <section className="panel" data-testid="upload-panel">
      <h2 className="panel-title">Upload images</h2>
      <p className="muted small">JPEG, PNG, WebP or TIFF. Each selection becomes one ingest run.</p>
      <label className="field-inline small">
        Held-out set{' '}
        <select value={split} onChange={(e) => setSplit(e.target.value as SplitChoice)} disabled={busy} data-testid="upload-split">
          <option value="auto">auto (the project&apos;s val share)</option>
          <option value="train">train</option>
          <option value="val">val (held out for evaluation)</option>
        </select>
      </label>
      <label className={busy ? 'button button-primary file-button is-disabled' : 'button button-primary file-button'}>
        {busy ? 'Uploading…' : 'Choose images…'}
        <input type="file" multiple accept="image/*" onChange={onChange} disabled={busy} className="visually-hidden" data-testid="upload-input" />
      </label>
      {items.length > 0 && (
        <ul className="upload-list" data-testid="upload-list">
          {items.map((item) => (
            <UploadRow key={item.key} item={item} />
          ))}
        </ul>
      )}
    </section>
  );
}
