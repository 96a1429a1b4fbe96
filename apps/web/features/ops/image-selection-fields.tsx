'use client';
// The run forms' image selection: a filter (stage, status, no masks yet, split, the images picked
// in the project's grid) that the server resolves when the run starts, with the count it selects
// now; autogen asks for a confirmation when the selection holds stage-1/2 images.
import { STAGE_LABELS, type ImageFilter } from '@dataengine/contracts';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';
import type { RunFormKind, RunFormValues } from './lib/run-form';

interface Props {
  kind: RunFormKind;
  projectId: string;
  values: RunFormValues;
  set: <K extends keyof RunFormValues>(key: K, value: RunFormValues[K]) => void;
  saved: readonly number[];
  selection: ImageFilter | undefined;
  /** offer exact image ids (the ops console) */
  advanced?: boolean;
}

export function ImageSelectionFields({ kind, projectId, values, set, saved, selection, advanced: offerIds = true }: Props) {
  const trpc = useTRPC();
  const count = useQuery(trpc.runs.countSelection.queryOptions({ projectId, selection: selection ?? {} }, { enabled: projectId !== '' }));
  const earlier = count.data?.earlierStage ?? 0;
  const advanced = values.imageIds.trim() !== '';
  return (
    <fieldset className="field-wide image-selection" data-testid="image-selection">
      <legend>Images</legend>
      <label className="field-inline small">
        Stage
        <select value={values.stage} onChange={(e) => set('stage', e.target.value as RunFormValues['stage'])} data-testid="select-stage">
          <option value="">any</option>
          {(['assisted_manual', 'semi_automatic', 'fully_automatic'] as const).map((s, i) => (
            <option key={s} value={s}>
              {i + 1} · {STAGE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="field-inline small">
        Status
        <select value={values.taskStatus} onChange={(e) => set('taskStatus', e.target.value as RunFormValues['taskStatus'])} data-testid="select-status">
          <option value="">any</option>
          <option value="open">waiting in the queue</option>
          <option value="leased">being annotated</option>
          <option value="submitted">submitted</option>
          <option value="skipped">set aside (skipped)</option>
        </select>
      </label>
      <label className="field-inline small">
        Split
        <select value={values.split} onChange={(e) => set('split', e.target.value as RunFormValues['split'])} data-testid="select-split">
          <option value="">train and val</option>
          <option value="train">train</option>
          <option value="val">val (held out)</option>
        </select>
      </label>
      <label className="checkbox small">
        <input type="checkbox" checked={values.noMasks} onChange={(e) => set('noMasks', e.target.checked)} data-testid="select-no-masks" />
        no masks yet
      </label>
      <label className="checkbox small" title={saved.length === 0 ? 'pick images in the project’s grid (Select) to use them here' : undefined}>
        <input type="checkbox" checked={values.useSaved && saved.length > 0} disabled={saved.length === 0} onChange={(e) => set('useSaved', e.target.checked)} data-testid="select-saved" />
        only the {saved.length} image{saved.length === 1 ? '' : 's'} picked in the project’s grid
      </label>
      <p className="small selection-count" data-testid="selection-count" data-count={count.data?.images ?? ''} data-earlier={earlier}>
        {advanced
          ? 'the image ids below are used as given'
          : count.isPending
            ? 'counting…'
            : count.isError
              ? 'could not count the images'
              : `${count.data.images} image${count.data.images === 1 ? '' : 's'} selected${count.data.images === 0 ? ' — change the filter' : ''}${count.data.overLimit ? ' — more than a run takes; narrow the filter' : ''}`}
      </p>
      {kind === 'autogen' && earlier > 0 && !advanced && (
        <label className="checkbox small notice notice-warning" data-testid="confirm-earlier">
          <input type="checkbox" checked={values.allowEarlierStages} onChange={(e) => set('allowEarlierStages', e.target.checked)} data-testid="allow-earlier-stages" />
          {earlier} of these are stage-1/2 images that annotators still work on; automatic masks on them show in their queue. Run on them anyway.
        </label>
      )}
      {offerIds && (
        <details className="small" open={advanced}>
          <summary>Advanced: exact image ids</summary>
          <input value={values.imageIds} onChange={(e) => set('imageIds', e.target.value)} placeholder="e.g. 12, 13, 20 (narrowed by the filter above)" data-testid="run-image-ids" />
        </details>
      )}
    </fieldset>
  );
}
