'use client';
// The project's held-out (val) set: how many images are val, what an evaluation would score on now,
// the share of `auto` uploads held out, and moving chosen images between train and val (managers).
import type { HeldOutSetDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** "12, 13 20" → [12, 13, 20]; null when a part is not a positive whole number. */
export function parseImageIds(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const ids = parts.map(Number);
  return parts.length > 0 && ids.every((n) => Number.isInteger(n) && n > 0) ? ids : null;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;

function Summary({ set }: { set: HeldOutSetDto }) {
  const total = set.images.train + set.images.val;
  const ready = set.evaluationSet.masks >= set.minMasks;
  return (
    <>
      <p className="small" data-testid="held-out-count" data-val={set.images.val}>
        <strong>{set.images.val}</strong> of {total} images are val (held out from training, annotated like the rest); new uploads set to “auto” hold out {percent(set.valShare)}.
      </p>
      <p className={ready ? 'small muted' : 'small text-failed'} data-testid="held-out-evaluation">
        An evaluation would score {set.evaluationSet.images} val images with {set.evaluationSet.masks} accepted masks{ready ? '' : ` — it needs ${set.minMasks}: annotate val images or mark more images as val`}.
      </p>
    </>
  );
}

export function HeldOutPanel({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const heldOut = useQuery(trpc.images.heldOut.queryOptions({ projectId }));
  const [ids, setIds] = useState('');
  const [share, setShare] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.images.heldOut.queryFilter({ projectId }));
    void queryClient.invalidateQueries(trpc.images.list.pathFilter());
  };
  const move = useMutation(trpc.images.setSplit.mutationOptions({ onSuccess: () => setIds(''), onSettled: refresh }));
  const saveShare = useMutation(trpc.images.setValShare.mutationOptions({ onSuccess: () => setShare(null), onSettled: refresh }));
  const submitMove = (split: 'train' | 'val') => {
    const parsed = parseImageIds(ids);
    if (!parsed) return setError('image ids are positive whole numbers, separated by commas or spaces');
    setError(null);
    move.mutate({ projectId, imageIds: parsed, split });
  };
  const submitShare = () => {
    const value = Number(share) / 100;
    if (share === null || !Number.isFinite(value) || value < 0 || value > 0.5) return setError('the val share is a percentage from 0 to 50');
    setError(null);
    saveShare.mutate({ projectId, valShare: value });
  };
  const failure = error ?? (move.error ? errorMessage(move.error) : saveShare.error ? errorMessage(saveShare.error) : null);

  return (
    <section className="panel" data-testid="held-out-panel">
      <h2 className="panel-title">Held-out set</h2>
      {heldOut.isError && <QueryError error={heldOut.error} what="the held-out set" />}
      {heldOut.data && <Summary set={heldOut.data} />}
      {canEdit && heldOut.data && (
        <>
          <div className="inline-actions">
            <input value={ids} onChange={(e) => setIds(e.target.value)} placeholder="ids: 12, 13" aria-label="Image ids" className="held-out-input" data-testid="held-out-ids" />
            <button type="button" className="button button-small" disabled={move.isPending || ids.trim() === ''} onClick={() => submitMove('val')} data-testid="held-out-mark-val">
              Mark val
            </button>
            <button type="button" className="button button-small" disabled={move.isPending || ids.trim() === ''} onClick={() => submitMove('train')} data-testid="held-out-mark-train">
              Mark train
            </button>
          </div>
          <div className="inline-actions">
            <label className="field-inline small">
              Share for new uploads
              <input
                type="number"
                min={0}
                max={50}
                step={1}
                className="held-out-input held-out-share"
                value={share ?? String(Math.round(heldOut.data.valShare * 1000) / 10)}
                onChange={(e) => setShare(e.target.value)}
                data-testid="held-out-share"
              />
              %
            </label>
            <button type="button" className="button button-small" disabled={saveShare.isPending || share === null} onClick={submitShare} data-testid="held-out-share-save">
              Save
            </button>
          </div>
          {move.data && (
            <p className="small muted" data-testid="held-out-moved">
              {move.data.updated} image{move.data.updated === 1 ? '' : 's'} moved to {move.data.split}.
            </p>
          )}
        </>
      )}
      {failure && (
        <p className="inline-error" role="alert">
          {failure}
        </p>
      )}
    </section>
  );
}
