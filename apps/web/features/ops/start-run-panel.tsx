'use client';
// Forms to start prefill, autogen, retrain, evaluate and export runs through runs.start.
import type { CheckpointDto, ProjectDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../../lib/api-error';
import { useSavedSelection } from '../../lib/saved-selection';
import { useTRPC } from '../../lib/trpc';
import { ImageSelectionFields } from './image-selection-fields';
import { buildStartRunInput, DEFAULT_RUN_FORM, defaultStageFor, RUN_FORM_KINDS, SELECTING_KINDS, selectionOf, startedRunMessage, type RunFormKind, type RunFormValues } from './lib/run-form';

const KIND_HELP: Record<RunFormKind, string> = {
  prefill: 'Stage 2: detector boxes → decoder masks, kept by predicted IoU and stability.',
  autogen: 'Stage 3: automatic masks from a point grid (SAM’s automatic mask generator) on stage-3 images; they go to review.',
  retrain: 'Fine-tune the active checkpoint on the project’s masks; the result is a candidate.',
  evaluate: 'Score a candidate and the checkpoint it would replace on the same held-out (val) images of the project; promote by margin. Refused while the set has too few masks.',
  export: 'Write the project’s masks as SA-1B or COCO to the blob store.',
};

function Field({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={wide ? 'field field-wide' : 'field'}>
      <span>{label}</span>
      {children}
    </label>
  );
}

export function StartRunPanel({ projects, checkpoints }: { projects: ProjectDto[]; checkpoints: CheckpointDto[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<RunFormKind>('autogen');
  const [values, setValues] = useState<RunFormValues>({ ...DEFAULT_RUN_FORM, stage: defaultStageFor('autogen') });
  const [formError, setFormError] = useState<string | null>(null);
  const start = useMutation(trpc.runs.start.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.runs.list.queryFilter()) }));
  const set = <K extends keyof RunFormValues>(key: K, value: RunFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const text = (key: keyof RunFormValues, testId: string, props: { type?: string; step?: string; placeholder?: string; title?: string } = {}) => (
    <input value={String(values[key])} onChange={(e) => set(key, e.target.value as never)} data-testid={testId} {...props} />
  );
  const projectId = values.projectId || projects[0]?.id || '';
  const saved = useSavedSelection(projectId).ids;
  // "use in a run" from a project's grid: /ops?project=<id>&selection=saved
  useEffect(() => {
    const query = new URLSearchParams(window.location.search);
    const wanted = query.get('project');
    if (wanted) setValues((v) => ({ ...v, projectId: wanted, useSaved: query.get('selection') === 'saved' }));
  }, []);
  const chooseKind = (k: RunFormKind) => {
    setKind(k);
    setFormError(null);
    start.reset(); // the last start's notice belongs to its own tab
    setValues((v) => ({ ...v, stage: defaultStageFor(k), allowEarlierStages: false }));
  };
  const heldOut = useQuery(trpc.images.heldOut.queryOptions({ projectId }, { enabled: kind === 'evaluate' && projectId !== '' }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildStartRunInput(kind, { ...values, projectId }, saved);
    if (!built.ok) {
      setFormError(built.error);
      return;
    }
    setFormError(null);
    start.mutate(built.input);
  };

  return (
    <section className="panel console-panel" aria-labelledby="start-run-title" data-testid="start-run-panel">
      <h2 id="start-run-title" className="panel-title">
        Start a run
      </h2>
      <div className="tabs" role="tablist" aria-label="Run kind">
        {RUN_FORM_KINDS.map((k) => (
          <button key={k} type="button" role="tab" aria-selected={k === kind} className={k === kind ? 'tab tab-active' : 'tab'} onClick={() => chooseKind(k)} data-testid={`run-kind-${k}`}>
            {k}
          </button>
        ))}
      </div>
      <p className="muted small">{KIND_HELP[kind]}</p>
      <form className="run-form" onSubmit={submit} data-testid="start-run-form" data-kind={kind}>
        <Field label="Project">
          <select value={projectId} onChange={(e) => set('projectId', e.target.value)} data-testid="run-project">
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        {SELECTING_KINDS.includes(kind) && <ImageSelectionFields kind={kind} projectId={projectId} values={values} set={set} saved={saved} selection={selectionOf(values, saved)} />}
        {kind === 'prefill' && (
          <>
            <Field label="Box score ≥">{text('boxScoreThreshold', 'prefill-box-score', { type: 'number', step: '0.05' })}</Field>
            <Field label="Pred. IoU ≥">{text('predIouThresh', 'prefill-pred-iou', { type: 'number', step: '0.01' })}</Field>
            <Field label="Stability ≥">{text('stabilityScoreThresh', 'prefill-stability', { type: 'number', step: '0.01' })}</Field>
            <Field label="Max masks / image">{text('maxMasksPerImage', 'prefill-max-masks', { type: 'number', step: '1' })}</Field>
          </>
        )}
        {kind === 'autogen' && (
          <>
            <Field label="Preset">
              <select value={values.preset} onChange={(e) => set('preset', e.target.value as RunFormValues['preset'])} data-testid="autogen-preset">
                <option value="sam-default">sam-default (SAM’s defaults)</option>
                <option value="sa1b">sa1b (SA-1B’s settings)</option>
              </select>
            </Field>
            <Field label="Overrides (JSON, camelCase AMG parameters)" wide>
              <textarea value={values.overrides} onChange={(e) => set('overrides', e.target.value)} rows={2} spellCheck={false} className="mono" data-testid="autogen-overrides" />
            </Field>
          </>
        )}
        {kind === 'retrain' && (
          <>
            <Field label="Mode">
              <select value={values.mode} onChange={(e) => set('mode', e.target.value as 'fast' | 'full')} data-testid="retrain-mode">
                <option value="fast">fast — encoder frozen, trains on stored embeddings; promotion re-embeds nothing</option>
                <option value="full">full — the encoder trains too; promotion re-embeds every image</option>
              </select>
            </Field>
            <Field label="Steps">{text('steps', 'retrain-steps', { type: 'number', step: '1' })}</Field>
            {values.mode === 'full' && (
              <Field label="Refit steps (decoder, encoder frozen)">
                {text('refitSteps', 'retrain-refit-steps', { type: 'number', step: '1', title: 'After the full steps, fast steps fit the decoder to the new encoder: without them a full retrain ranks its one-click candidates worse than a fast one (0 = none)' })}
              </Field>
            )}
            <Field label="Learning rate">{text('lr', 'retrain-lr', { type: 'number', step: 'any' })}</Field>
            {values.mode === 'fast' && (
              <label className="checkbox">
                <input type="checkbox" checked={values.hardExamples} onChange={(e) => set('hardExamples', e.target.checked)} data-testid="retrain-hard-examples" />
                hard examples: train most on the masks the active checkpoint gets most wrong at one click
              </label>
            )}
            <label className="checkbox">
              <input type="checkbox" checked={values.evaluate} onChange={(e) => set('evaluate', e.target.checked)} data-testid="retrain-evaluate" />
              evaluate against the active checkpoint when done
            </label>
          </>
        )}
        {kind === 'evaluate' && (
          <>
            <Field label="Candidate">
              <select value={values.candidateId} onChange={(e) => set('candidateId', e.target.value)} data-testid="evaluate-candidate">
                <option value="">choose…</option>
                {checkpoints.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.status})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Baseline">
              <select value={values.baselineId} onChange={(e) => set('baselineId', e.target.value)} data-testid="evaluate-baseline">
                <option value="">the active checkpoint it would replace</option>
                {checkpoints.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.status})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Auto-promote margin (mIoU@1/3/5; empty: never)">{text('margin', 'evaluate-margin', { type: 'number', step: '0.005' })}</Field>
            {heldOut.data && (
              <p className={heldOut.data.evaluationSet.masks >= heldOut.data.minMasks ? 'small muted field-wide' : 'small text-failed field-wide'} data-testid="evaluate-held-out">
                Held-out set now: {heldOut.data.evaluationSet.images} val images with {heldOut.data.evaluationSet.masks} masks (needs {heldOut.data.minMasks}) · {heldOut.data.images.val} val images in the project
              </p>
            )}
          </>
        )}
        {kind === 'export' && (
          <>
            <Field label="Format">
              <select value={values.format} onChange={(e) => set('format', e.target.value as RunFormValues['format'])} data-testid="export-format">
                <option value="sa1b">SA-1B (per-image JSON)</option>
                <option value="coco-rle">COCO, RLE</option>
                <option value="coco-polygon">COCO, polygons</option>
              </select>
            </Field>
            <label className="checkbox">
              <input type="checkbox" checked={values.includeImages} onChange={(e) => set('includeImages', e.target.checked)} data-testid="export-include-images" />
              include the images
            </label>
          </>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={start.isPending || projects.length === 0} data-testid="start-run-submit">
            {start.isPending ? 'Starting…' : `Start ${kind} run`}
          </button>
        </div>
        {(formError ?? start.error) && (
          <p className="inline-error form-error" role="alert" data-testid="start-run-error">
            {formError ?? errorMessage(start.error)}
          </p>
        )}
        {start.data && !formError && !start.isError && (
          <p className="notice notice-info form-error" data-testid="start-run-result" data-run-id={start.data.id}>
            {startedRunMessage(start.data)}
          </p>
        )}
      </form>
    </section>
  );
}
