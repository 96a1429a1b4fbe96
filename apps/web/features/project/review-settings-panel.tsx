'use client';
// The project's review and time settings: the share of submitted stage-1 images that enter review,
// whether every stage-2/3 image and autogen output is reviewed, and how long a pause may count as
// active time. Managers change them; ops read them.
import type { ReviewSettingsDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

interface Draft {
  rate: string;
  laterStages: boolean;
  cap: string;
}

const draftOf = (s: ReviewSettingsDto): Draft => ({ rate: String(Math.round(s.reviewSampleRate * 1000) / 10), laterStages: s.reviewLaterStages, cap: s.idleCapSeconds === null ? '' : String(s.idleCapSeconds) });

export function ReviewSettingsPanel({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.review.settings.queryOptions({ projectId }));
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.review.setSettings.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(trpc.review.settings.queryKey({ projectId }), saved);
        setDraft(null);
      },
    }),
  );
  if (settings.isError) return <QueryError error={settings.error} what="the review settings" />;
  if (!settings.data) return null;
  const s = settings.data;
  const d = draft ?? draftOf(s);
  const submit = () => {
    const rate = Number(d.rate) / 100;
    const cap = d.cap.trim() === '' ? null : Number(d.cap);
    if (d.rate.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) return setError('the sample rate is a percentage from 0 to 100');
    if (cap !== null && (!Number.isInteger(cap) || cap < 1 || cap > 3600)) return setError('the idle cap is a whole number of seconds from 1 to 3600, or empty for the installation’s');
    setError(null);
    save.mutate({ projectId, reviewSampleRate: rate, reviewLaterStages: d.laterStages, idleCapSeconds: cap });
  };
  const failure = error ?? (save.error ? errorMessage(save.error) : null);
  return (
    <section className="panel" data-testid="review-settings">
      <h2 className="panel-title">Review &amp; time</h2>
      <p className="small">
        <strong data-testid="review-rate">{Math.round(s.reviewSampleRate * 1000) / 10} %</strong> of submitted stage-1 images enter review;{' '}
        {s.reviewLaterStages ? 'every stage-2/3 image and every autogen output too' : 'stage-2/3 images and autogen output are sampled at the same rate'}. A pause between two actions counts as at most{' '}
        <strong data-testid="idle-cap">{s.effectiveIdleCapSeconds} s</strong> of active time{s.idleCapSeconds === null ? ' (the installation’s IDLE_GAP_CAP_SECONDS)' : ''}.
      </p>
      {canEdit && (
        <div className="inline-form review-settings-form">
          <label className="field field-inline">
            <span>Sample %</span>
            <input type="number" min={0} max={100} step={1} value={d.rate} onChange={(e) => setDraft({ ...d, rate: e.target.value })} className="held-out-input" data-testid="review-rate-input" />
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={d.laterStages} onChange={(e) => setDraft({ ...d, laterStages: e.target.checked })} data-testid="review-later-stages" />
            Review all stage-2/3 work and autogen output
          </label>
          <label className="field field-inline">
            <span>Idle cap (s)</span>
            <input type="number" min={1} max={3600} step={1} value={d.cap} placeholder={String(s.idleCapDefaultSeconds)} onChange={(e) => setDraft({ ...d, cap: e.target.value })} className="held-out-input" data-testid="idle-cap-input" />
          </label>
          <button type="button" className="button button-small" onClick={submit} disabled={draft === null || save.isPending} data-testid="review-settings-save">
            Save
          </button>
        </div>
      )}
      {failure && (
        <p className="inline-error" role="alert">
          {failure}
        </p>
      )}
    </section>
  );
}
