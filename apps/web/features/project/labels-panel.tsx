'use client';
// The project's label set (classes): its managers add, rename, recolour, reorder and delete labels;
// others see it read-only. Keys 1–9 pick the first nine in the annotator tool. Deleting a label
// that masks carry asks what becomes of them (unlabelled, or moved to another label).
import { LABEL_KEYS, MAX_LABEL_NAME_LENGTH, nextLabelColor, type LabelDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage, errorStatus } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import './labels.css';

function useLabelMutations(projectId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries(trpc.labels.list.pathFilter());
  return {
    create: useMutation(trpc.labels.create.mutationOptions({ onSettled: refresh })),
    update: useMutation(trpc.labels.update.mutationOptions({ onSettled: refresh })),
    reorder: useMutation(trpc.labels.reorder.mutationOptions({ onSettled: refresh })),
    remove: useMutation(trpc.labels.delete.mutationOptions({ onSettled: refresh })),
    projectId,
  };
}
type Mutations = ReturnType<typeof useLabelMutations>;

function AddLabelForm({ labels, m }: { labels: readonly LabelDto[]; m: Mutations }) {
  const [name, setName] = useState('');
  const [color, setColor] = useState<string | null>(null);
  const shown = color ?? nextLabelColor(labels.map((l) => l.color));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    m.create.mutate({ projectId: m.projectId, name, color: shown }, { onSuccess: () => (setName(''), setColor(null)) });
  };
  return (
    <form className="label-form" onSubmit={submit} data-testid="add-label-form">
      <input type="color" value={shown} onChange={(e) => setColor(e.target.value)} aria-label="Colour of the new label" data-testid="add-label-color" />
      <input type="text" required maxLength={MAX_LABEL_NAME_LENGTH} placeholder="new label, e.g. person" aria-label="Name of the new label" value={name} onChange={(e) => setName(e.target.value)} data-testid="add-label-name" />
      <button type="submit" className="button" disabled={m.create.isPending} data-testid="add-label-submit">
        Add
      </button>
    </form>
  );
}

/** Asks what becomes of the masks a label carries before it is deleted. */
function DeleteConfirm({ label, labels, m, onDone }: { label: LabelDto; labels: readonly LabelDto[]; m: Mutations; onDone: () => void }) {
  const others = labels.filter((l) => l.id !== label.id);
  const [target, setTarget] = useState('');
  const count = label.maskCount ?? 0;
  const remove = (labelId: string | null) => m.remove.mutate({ labelId: label.id, masksTo: { labelId } }, { onSuccess: onDone });
  return (
    <div className="label-confirm" role="alertdialog" aria-label={`Delete the label ${label.name}`} data-testid="label-delete-confirm">
      <p className="small">
        <strong>{count === 1 ? '1 mask carries' : `${count} masks carry`} “{label.name}”.</strong> Deleting the label keeps the masks; say what they carry instead:
      </p>
      <div className="inline-actions">
        <button type="button" className="button button-danger" onClick={() => remove(null)} disabled={m.remove.isPending} data-testid="label-delete-unlabel">
          Delete; leave them unlabelled
        </button>
        {others.length > 0 && (
          <>
            <select aria-label="Move its masks to" value={target} onChange={(e) => setTarget(e.target.value)} data-testid="label-delete-target">
              <option value="">move them to…</option>
              {others.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
            <button type="button" className="button" onClick={() => remove(target)} disabled={!target || m.remove.isPending} data-testid="label-delete-move">
              Delete; move them
            </button>
          </>
        )}
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function LabelRow({ label, index, labels, canEdit, m }: { label: LabelDto; index: number; labels: readonly LabelDto[]; canEdit: boolean; m: Mutations }) {
  const [name, setName] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const move = (by: -1 | 1) => {
    const ids = labels.map((l) => l.id);
    [ids[index], ids[index + by]] = [ids[index + by]!, ids[index]!];
    m.reorder.mutate({ projectId: m.projectId, labelIds: ids });
  };
  const rename = () => {
    if (name !== null && name.trim() !== label.name) m.update.mutate({ labelId: label.id, name }, { onSettled: () => setName(null) });
    else setName(null);
  };
  const askDelete = () => {
    // a label no mask carries goes at once; otherwise the API refuses and the question is asked
    if ((label.maskCount ?? 0) > 0) return setConfirming(true);
    m.remove.mutate({ labelId: label.id }, { onError: () => setConfirming(true) });
  };
  const key = index < LABEL_KEYS ? String(index + 1) : null;
  return (
    <li className="label-row" data-testid="label-row" data-label-id={label.id} data-name={label.name}>
      <span className="label-key" title={key ? `key ${key} picks it in the annotator tool` : 'pick it from the list in the tool'}>
        {key ?? ''}
      </span>
      {canEdit ? (
        <>
          <input type="color" value={label.color} onChange={(e) => m.update.mutate({ labelId: label.id, color: e.target.value })} aria-label={`Colour of ${label.name}`} data-testid="label-color" />
          <input
            type="text"
            className="label-name-input"
            maxLength={MAX_LABEL_NAME_LENGTH}
            value={name ?? label.name}
            aria-label={`Name of ${label.name}`}
            onChange={(e) => setName(e.target.value)}
            onBlur={rename}
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.currentTarget.blur();
              if (e.key === 'Escape') setName(null);
            }}
            data-testid="label-name"
          />
        </>
      ) : (
        <>
          <span className="label-swatch" style={{ background: label.color }} aria-hidden />
          <span className="label-name">{label.name}</span>
        </>
      )}
      <div className="label-meta">
        <span className="muted small label-count" data-testid="label-mask-count">
          {label.maskCount === null ? '' : label.maskCount === 1 ? '1 mask' : `${label.maskCount} masks`}
        </span>
        {canEdit && (
          <span className="label-actions">
            <button type="button" className="button button-quiet button-small" onClick={() => move(-1)} disabled={index === 0 || m.reorder.isPending} aria-label={`Move ${label.name} up`} data-testid="label-up">
              ↑
            </button>
            <button type="button" className="button button-quiet button-small" onClick={() => move(1)} disabled={index === labels.length - 1 || m.reorder.isPending} aria-label={`Move ${label.name} down`} data-testid="label-down">
              ↓
            </button>
            <button type="button" className="button button-quiet button-small" onClick={askDelete} aria-label={`Delete ${label.name}`} data-testid="label-delete">
              Delete
            </button>
          </span>
        )}
      </div>
      {confirming && <DeleteConfirm label={label} labels={labels} m={m} onDone={() => setConfirming(false)} />}
    </li>
  );
}

export function LabelsPanel({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const labels = useQuery(trpc.labels.list.queryOptions({ projectId, withCounts: true }));
  const m = useLabelMutations(projectId);
  const failure = m.create.error ?? m.update.error ?? m.reorder.error ?? (errorStatus(m.remove.error) === 409 ? null : m.remove.error);
  const list = labels.data ?? [];
  return (
    <section className="panel labels-panel" data-testid="labels-panel">
      <h2 className="panel-title">
        Labels <span className="muted" data-testid="label-count">{list.length || ''}</span>
      </h2>
      <p className="muted small">
        {list.length === 0
          ? 'No labels: masks are class-agnostic (exports use one category, “object”). Add labels to classify masks; keys 1–9 pick them in the annotator tool.'
          : `Each mask may carry one label. Keys 1–${Math.min(LABEL_KEYS, list.length)} pick the first ${Math.min(LABEL_KEYS, list.length)} in the annotator tool (0: none); COCO exports write them as categories in this order.`}
      </p>
      {labels.isError && <QueryError error={labels.error} what="the labels" />}
      <ol className="label-list">
        {list.map((label, i) => (
          <LabelRow key={label.id} label={label} index={i} labels={list} canEdit={canEdit} m={m} />
        ))}
      </ol>
      {canEdit && <AddLabelForm labels={list} m={m} />}
      {failure && (
        <p className="inline-error" role="alert" data-testid="labels-error">
          {errorMessage(failure)}
        </p>
      )}
    </section>
  );
}
