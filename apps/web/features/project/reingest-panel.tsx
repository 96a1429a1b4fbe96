'use client';
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

export function ReingestPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const [all, setAll] = useState(false);
  const reingest = useMutation(trpc.runs.reingest.mutationOptions());
  return (
    <section className="panel" data-testid="reingest-panel">
      <h2 className="panel-title">Operations</h2>
      <p className="muted small">Re-run ingest (decode, thumbnail) over images that are pending or failed.</p>
      <label className="checkbox">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="reingest-all" /> include ready images
      </label>
      <button type="button" className="button" onClick={() => reingest.mutate({ projectId, all })} disabled={reingest.isPending} data-testid="reingest">
        {reingest.isPending ? 'Starting…' : 'Re-ingest'}
      </button>
      {reingest.data && (
        <p className="notice notice-info" data-testid="reingest-result">
          Started an ingest run over {reingest.data.total} image{reingest.data.total === 1 ? '' : 's'}. <Link href="/runs">Follow it on the Runs page</Link>.
        </p>
      )}
      {reingest.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(reingest.error)}
        </p>
      )}
    </section>
  );
}
