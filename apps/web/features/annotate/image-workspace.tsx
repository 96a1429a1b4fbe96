'use client';
// The tool for one leased image: prompts → decoder → mask, brush touch-ups, accept / delete through
// the outbox, the mask list, keyboard shortcuts, and the draft that survives a reload.
import type { LabelDto, Membership, TaskDto } from '@dataengine/contracts';
import {
  compressRle,
  cropMask,
  encodeMask,
  focusGain,
  focusRegion,
  focusSuits,
  maskArea,
  promptsInside,
  SAM_LOW_RES_SIZE,
  sameRegion,
  touchesRegionEdge,
  type BinaryMask,
  type BoxXyxy,
  type FocusRegion,
} from '@dataengine/segment';
import type { SamWorkerClient } from '@dataengine/segment/web';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { useCurrentUser } from '../../components/session-gate';
import { useTRPC } from '../../lib/trpc';
import { AnnotateCanvas, type Tool } from './annotate-canvas';
import { HelpOverlay } from './help-overlay';
import { markPrompt } from './latency';
import type { DraftStore, OutboxEntry } from './lib/draft-store';
import { commandForKey, type Command } from './lib/keymap';
import { LABEL_SHORTCUTS, labelKeyPick } from './lib/label-keys';
import { LabelPicker } from './label-picker';
import { bboxToBox, displayFrame, fullResolutionMask, maskToLowResLogits, type DisplayFrame } from './lib/display-frame';
import { focusMaskAtFullSize } from './lib/focus-region';
import { BRUSH_DEFAULT, composeMask, stepBrush } from './lib/mask-edit';
import { maskLock } from './lib/mask-lock';
import { maskRows, type MaskRow } from './lib/mask-rows';
import { emptyPrompts, hasDecoderPrompt, pointCoords, promptReducer, type PromptState } from './lib/prompt-reducer';
import { MaskList } from './mask-list';
import { BulkDeleteDialog, EmptySubmitDialog, SkipDialog } from './annotate-dialogs';
import { decodeDraftMask, encodeDraftMask } from './lib/draft-mask';
import { DEFAULT_VIEW, MaskViewControls, type MaskViewState } from './mask-view-controls';
import { visibleMasks } from '../../lib/mask-filter';
import { ToolBar } from './tool-bar';
import { useActivity } from './use-activity';
import { useAfterPaint } from './use-after-paint';
import type { LoadedImage } from './image-source';
import { decodeRow, displayRow, useCurrentMask, useSavedOverlay, type Editing } from './use-current-mask';
import { useFocusEmbedding, type FocusView, type ReadyFocus } from './use-focus-embedding';
import type { WorkerEmbedding } from './use-image-embedding';
import { useMaskPrediction, type Candidate, type Decoded, type PromptSeed } from './use-mask-prediction';
import type { FocusSupport } from './use-sam-worker';

export interface WorkspaceProps {
  task: TaskDto;
  /** the annotator's role in the project (which masks they may change: the access policy) */
  membership: Membership;
  image: LoadedImage;
  client: SamWorkerClient | null;
  embedding: WorkerEmbedding | null;
  checkpointId: string | null;
  /** whether the worker can embed a zoomed-in region (the focus view); null until the model is loaded */
  focusSupport: FocusSupport | null;
  store: DraftStore;
  outbox: readonly OutboxEntry[];
  enqueue(entry: OutboxEntry): void;
  discard(key: string): void;
  /** `emptyConfirmed`: the annotator answered "no objects here" for an image without masks */
  onSubmit(activeMs: number, emptyConfirmed?: boolean): Promise<void>;
  submitting: boolean;
  /** gives the image back with a reason, then the next one */
  onSkip(reason: string): Promise<void>;
  skipping: boolean;
  skipError: string | null;
  /** re-opens the image submitted last (null: nothing to go back to) */
  onPrevious: (() => void) | null;
  /** the project's label set (empty: class-agnostic — no picker, masks unlabelled) */
  labels: readonly LabelDto[];
  /** the label new masks get (the last picked, remembered per project) */
  activeLabelId: string | null;
  onPickLabel(labelId: string | null): void;
}

type OpenDialog = { kind: 'empty' } | { kind: 'skip' } | { kind: 'bulk-delete'; rows: MaskRow[]; what: string } | null;

/** The masks a restored draft had on screen, for its prompts (shown as they were: not decoded again). */
function restoredDecode(restored: ReturnType<DraftStore['loadDraft']>, prompts: PromptState, width: number, height: number): Decoded | null {
  if (!restored?.mask || !hasDecoderPrompt(prompts)) return null;
  try {
    const candidates = decodeDraftMask(restored.mask, restored.candidate, (mask) => maskToLowResLogits(mask, width, height, SAM_LOW_RES_SIZE));
    return { points: prompts.points, box: prompts.box, candidates };
  } catch {
    return null; // a draft written by another version: decoded again from its prompts instead
  }
}

const newKey = () => crypto.randomUUID();

/** A saved mask picked up for fixing: drawn at display size, saved from full size, clicks start from it. */
function editingFrom(row: MaskRow, version: number, frame: DisplayFrame, width: number, height: number): Editing {
  const full = decodeRow(row, frame);
  const base = displayRow(row, frame);
  const box = bboxToBox(row.bbox ?? [0, 0, width, height], width, height);
  return { maskId: row.maskId!, version, base, full, seed: { box, maskInput: maskToLowResLogits(base, width, height, SAM_LOW_RES_SIZE) } };
}

/** The mask to save, at the image's full size: the decoder's (upscaled from its low-res logits for large images) or the saved one, plus the strokes. */
function fullResolution(frame: DisplayFrame, current: BinaryMask, chosen: Candidate | null, editing: Editing | null, strokes: PromptState['strokes'], width: number, height: number): BinaryMask {
  if (frame.exact) return current;
  const base = chosen ? decodedAtFullSize(chosen, width, height) : (editing?.full ?? null);
  return composeMask(base, width, height, strokes);
}

/** A candidate at the image's full size: §1.5 on its low-res logits, in its focus region when it has one. */
function decodedAtFullSize(chosen: Candidate, width: number, height: number): BinaryMask {
  return chosen.focus ? focusMaskAtFullSize(chosen.focus.lowResLogits, chosen.focus.region, width, height) : fullResolutionMask(chosen.lowResLogits, SAM_LOW_RES_SIZE, width, height);
}

/** A saved mask being fixed in a focus view (its box lies in the region): its part in the region as the mask prompt. */
function seedInRegion(editing: Editing, region: FocusRegion): PromptSeed {
  return { box: editing.seed.box, maskInput: maskToLowResLogits(cropMask(editing.full, region), region.width, region.height, SAM_LOW_RES_SIZE) };
}

/** What the focus view is doing, for the badge on the image. */
function focusNotice(view: FocusView, on: boolean, zoomed: boolean, width: number, height: number): { status: string; text: string } | null {
  if (!zoomed) return null;
  if (!on) return { status: 'off', text: 'Focus view off (Z turns it on)' };
  switch (view.status) {
    case 'computing':
      return { status: 'computing', text: 'Focusing the model on this view…' };
    case 'ready':
      return { status: 'ready', text: `Focus view: the model sees this area ${focusGain(view.region, width, height).toFixed(1)}× larger (Z: off)` };
    case 'unavailable':
      return { status: 'unavailable', text: `No focus view: ${view.reason}` };
    case 'failed':
      return { status: 'failed', text: `The focus view failed (${view.message}); clicks use the whole image` };
    default:
      return null;
  }
}

export function ImageWorkspace(p: WorkspaceProps) {
  const imageId = p.task.image.id;
  const { width, height } = p.task.image;
  const frame = useMemo(() => displayFrame(width, height), [width, height]);
  const trpc = useTRPC();
  const user = useCurrentUser();
  const server = useQuery(trpc.masks.list.queryOptions({ imageId }));
  const restored = useMemo(() => p.store.loadDraft(imageId), [p.store, imageId]);
  const [prompts, dispatch] = useReducer(promptReducer, restored, (d) => (d ? promptReducer(emptyPrompts(), { type: 'restore', prompts: d.prompts, clicks: d.clicks }) : emptyPrompts()));
  const [candidate, setCandidate] = useState(restored?.candidate ?? 0);
  const [editing, setEditing] = useState<Editing | null>(null);
  const pendingEdit = useRef(restored?.editing ?? null);
  const clientKey = useRef(restored?.clientKey ?? newKey());
  const [tool, setTool] = useState<Tool>('prompt');
  const [brush, setBrush] = useState(BRUSH_DEFAULT);
  const [selected, setSelected] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [fitRequest, setFitRequest] = useState(0);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [view, setView] = useState<MaskViewState>(DEFAULT_VIEW);
  // the focus view: the region on screen when zoomed in, the mask in progress's own (locked at its
  // first prompt), and whether that mask is made there (decided by its first whole-image mask's size)
  const [focusOn, setFocusOn] = useState(true);
  const [zoomRegion, setZoomRegion] = useState<FocusRegion | null>(null);
  const [focusChoice, setFocusChoice] = useState<'undecided' | 'focus' | 'whole'>('undecided');
  const lockedFocus = useRef<ReadyFocus | null>(null);
  const activity = useActivity(restored?.activeMs ?? 0, p.task.projectId);
  const [restoredMasks] = useState(() => restoredDecode(restored, prompts, width, height));

  const allRows = useMemo(() => maskRows(imageId, server.data ?? [], p.outbox, p.labels), [imageId, server.data, p.outbox, p.labels]);
  // hidden automatic masks leave the overlay and the list; the others keep their colours and numbers
  const rows = useMemo(() => visibleMasks(allRows, { auto: view.hideAuto }), [allRows, view.hideAuto]);
  const colourOf = useCallback((row: MaskRow) => allRows.indexOf(row), [allRows]);
  const lockOf = useCallback((row: MaskRow) => maskLock(user, p.membership, row), [user, p.membership]);
  const sessionActive = hasDecoderPrompt(prompts) || editing !== null;
  const focusView = useFocusEmbedding(p.client, p.image.bitmap, p.checkpointId, focusOn ? zoomRegion : null, p.focusSupport, sessionActive ? (lockedFocus.current?.embedding.embeddingId ?? null) : null);
  // until the first prompt the mask follows the view; from then on it stays in the frame it began in
  if (!sessionActive) lockedFocus.current = focusView.status === 'ready' && sameRegion(focusView.region, focusOn ? zoomRegion : null) ? focusView : null;
  const locked = lockedFocus.current;
  const eligible =
    focusOn && locked !== null && locked.embedding.checkpointId === p.checkpointId && promptsInside(locked.region, prompts.points, prompts.box) && (!editing || promptsInside(locked.region, [], editing.seed.box));
  // the focus view is for small objects: a saved mask being fixed says its size; a new mask's first
  // prompt is decoded on the whole image, and that mask's size decides (the effect below)
  const editingSuits = useMemo(() => editing !== null && focusSuits(maskArea(editing.full), width, height), [editing, width, height]);
  const focus = eligible && (focusChoice === 'focus' || (focusChoice === 'undecided' && editingSuits)) ? locked : null;
  const seed = useMemo(() => (editing ? (focus ? seedInRegion(editing, focus.region) : editing.seed) : null), [editing, focus]);
  const prediction = useMaskPrediction(p.client, focus ? focus.embedding : p.embedding, focus ? focus.frame : frame, frame, focus ? focus.region : null, prompts.points, prompts.box, candidate, seed, restoredMasks);
  const candidates = prediction.candidates;
  const chosen = candidates ? (candidates[candidate] ?? candidates[0] ?? null) : null;
  const current = useCurrentMask(frame, chosen, editing, prompts.strokes);
  // the first whole-image mask of a new mask made while zoomed in: a small object moves to the focus view
  // (null: nothing to decide now)
  const firstSuits = focusChoice === 'undecided' && eligible && !editing && chosen !== null && !chosen.focus && !prediction.pending ? focusSuits(chosen.area / (frame.sx * frame.sy), width, height) : null;
  useEffect(() => {
    if (firstSuits !== null) setFocusChoice(firstSuits ? 'focus' : 'whole');
  }, [firstSuits]);
  // an object that runs past the focus region's edge would be cut off there: it is made on the whole image
  const edgeHit = useMemo(() => focus !== null && chosen?.focus?.mask !== undefined && touchesRegionEdge(chosen.focus.mask, focus.region, width, height), [focus, chosen, width, height]);
  // a focus decode that fails (e.g. its embedding was evicted) leaves the mask to the whole image
  const focusFailed = focus !== null && prediction.error !== null;
  useEffect(() => {
    if (!edgeHit && !focusFailed) return;
    setFocusChoice('whole');
    setNotice(edgeHit ? 'the object runs past the zoomed-in view: it is segmented on the whole image' : 'the focus view could not decode this mask: it is segmented on the whole image');
  }, [edgeHit, focusFailed]);
  // the mask on screen is about to be replaced (its decode, or a move to or from the focus view): accept waits for it
  const settling = prediction.pending || firstSuits === true || edgeHit || focusFailed;
  // each new mask decides again
  useEffect(() => {
    if (!sessionActive) setFocusChoice('undecided');
  }, [sessionActive]);
  const onView = useCallback((visible: BoxXyxy) => setZoomRegion((prev) => {
    const next = focusRegion(visible, width, height);
    return sameRegion(prev, next) ? prev : next;
  }), [width, height]);
  const focusRegionOfMask = focus?.region ?? null; // only a mask in progress is ever in the focus view
  const focusBox = useMemo((): BoxXyxy | null => {
    const r = focusRegionOfMask;
    return r && [r.x0, r.y0, r.x0 + r.width, r.y0 + r.height];
  }, [focusRegionOfMask]);
  const focusBadge = focusNotice(focusView, focusOn, zoomRegion !== null, width, height);
  const savedOverlay = useSavedOverlay(frame, rows, selected, editing?.maskId ?? null, view, colourOf);
  // the mask on screen as COCO RLE counts (display frame): what a reload must show again
  const currentRle = useMemo(() => (current.mask ? compressRle(encodeMask(current.mask)).counts : ''), [current.mask]);
  const layers = useMemo(() => [savedOverlay, current.overlay], [savedOverlay, current.overlay]);

  // a restored draft that edited a saved mask: pick the mask up again once the list is here
  useEffect(() => {
    const want = pendingEdit.current;
    if (!want || !server.data) return;
    pendingEdit.current = null;
    const row = rows.find((r) => r.maskId === want.maskId);
    if (row) setEditing(editingFrom(row, want.version, frame, width, height));
  }, [rows, server.data, frame, width, height]);

  // the draft: written on every change, removed when there is nothing to keep
  const dirty = hasDecoderPrompt(prompts) || prompts.strokes.length > 0 || editing !== null;
  const { maskMs } = activity;
  const afterPaint = useAfterPaint();
  useEffect(() => {
    if (!dirty) return afterPaint(() => p.store.clearDraft(imageId));
    // written once the masks of these prompts are on screen (a click's decode takes a frame), with
    // the masks themselves: a reload shows exactly them
    if (prediction.pending) return;
    const activeMs = maskMs();
    // the candidates' encoding and the storage write wait until the frame with the mask is out
    afterPaint(() =>
      p.store.saveDraft(imageId, {
        clientKey: clientKey.current,
        editing: editing ? { maskId: editing.maskId, version: editing.version } : null,
        prompts: { points: prompts.points, box: prompts.box ? [...prompts.box] : null, strokes: prompts.strokes },
        candidate,
        mask: candidates && candidates.length > 0 ? encodeDraftMask(candidates, candidate, !frame.exact) : null,
        clicks: prompts.clicks,
        activeMs,
      }),
    );
  }, [dirty, prompts, candidate, candidates, prediction.pending, frame.exact, editing, imageId, p.store, maskMs, afterPaint]);

  const clear = useCallback(() => {
    dispatch({ type: 'clear' });
    setEditing(null);
    setFocusChoice('undecided');
    setCandidate(0);
    clientKey.current = newKey();
  }, []);

  const [acceptWhenDecoded, setAcceptWhenDecoded] = useState(false);
  const accept = useCallback(() => {
    if (settling) return setAcceptWhenDecoded(true); // Enter right after a click: wait for its mask
    if (!current.mask || current.area === 0) {
      setNotice('nothing to accept: click an object first');
      return;
    }
    const segmentation = compressRle(encodeMask(fullResolution(frame, current.mask, chosen, editing, prompts.strokes, width, height)));
    const base = { imageId, state: 'pending' as const, message: null };
    const coords = pointCoords(prompts);
    const common = { segmentation, activeMs: activity.maskMs(), clicks: prompts.clicks, ...(coords.length ? { pointCoords: coords } : {}) };
    if (editing) {
      p.enqueue({ ...base, kind: 'update', key: clientKey.current, input: { maskId: editing.maskId, version: editing.version, ...common } });
    } else {
      const scores = chosen ? { predictedIou: clamp(chosen.predictedIou, -10, 10), stabilityScore: clamp(chosen.stabilityScore, 0, 1) } : {};
      const label = p.labels.length > 0 ? { labelId: p.activeLabelId } : {};
      p.enqueue({ ...base, kind: 'save', key: clientKey.current, input: { imageId, clientKey: clientKey.current, ...common, ...scores, ...(p.checkpointId ? { checkpointId: p.checkpointId } : {}), ...label } });
    }
    setNotice(null);
    setSelected(null);
    clear();
    activity.resetMask();
  }, [activity, chosen, clear, current, editing, frame, height, imageId, p, settling, prompts, width]);

  useEffect(() => {
    if (!acceptWhenDecoded || settling) return;
    setAcceptWhenDecoded(false);
    accept();
  }, [accept, acceptWhenDecoded, settling]);

  const remove = useCallback(() => {
    const row = rows.find((r) => r.key === selected);
    if (!row) return setNotice('select a mask in the list to delete it');
    const locked = lockOf(row);
    if (locked) return setNotice(locked);
    if (row.maskId === null || row.version === null) p.discard(row.key);
    else p.enqueue({ kind: 'delete', key: `del-${row.maskId}-${row.version}`, imageId, state: 'pending', message: null, input: { maskId: row.maskId, version: row.version } });
    if (editing?.maskId === row.maskId) clear();
    setSelected(null);
  }, [clear, editing, imageId, lockOf, p, rows, selected]);

  const select = useCallback(
    (row: MaskRow) => {
      setSelected(row.key);
      const locked = lockOf(row);
      setNotice(locked);
      if (locked || row.maskId === null || row.version === null || row.sync !== 'saved') return;
      dispatch({ type: 'clear' });
      setCandidate(0);
      setFocusChoice('undecided');
      clientKey.current = newKey();
      setEditing(editingFrom(row, row.version, frame, width, height));
    },
    [frame, width, height, lockOf],
  );

  const step = useCallback(
    (direction: 1 | -1) => {
      if (rows.length === 0) return setNotice('no masks on this image yet');
      const at = rows.findIndex((r) => r.key === selected);
      const next = rows[at < 0 ? (direction > 0 ? 0 : rows.length - 1) : (at + direction + rows.length) % rows.length]!;
      select(next);
    },
    [rows, select, selected],
  );

  const submit = useCallback(async () => {
    if (dirty) return setNotice('accept (Enter) or clear (Esc) the current mask before submitting the image');
    if (allRows.length === 0) return setDialog({ kind: 'empty' }); // asks "no objects here?" once
    await p.onSubmit(activity.imageMs());
  }, [activity, allRows.length, dirty, p]);

  const skip = useCallback(() => {
    if (dirty) return setNotice('accept (Enter) or clear (Esc) the current mask before skipping the image');
    setDialog({ kind: 'skip' });
  }, [dirty]);

  const previous = useCallback(() => {
    if (!p.onPrevious) return setNotice('there is no submitted image to go back to');
    if (dirty) return setNotice('accept (Enter) or clear (Esc) the current mask before going back');
    p.onPrevious();
  }, [dirty, p]);

  const bulkDelete = useCallback(
    (targets: MaskRow[]) => {
      for (const row of targets) {
        if (row.maskId === null || row.version === null) p.discard(row.key);
        else p.enqueue({ kind: 'delete', key: `del-${row.maskId}-${row.version}`, imageId, state: 'pending', message: null, input: { maskId: row.maskId, version: row.version } });
      }
      if (targets.some((r) => r.key === selected)) setSelected(null);
      setNotice(`${targets.length} mask${targets.length === 1 ? '' : 's'} deleted`);
    },
    [imageId, p, selected],
  );

  const run = useCallback(
    (command: Command) => {
      activity.record();
      switch (command) {
        case 'accept':
          return accept();
        case 'clear':
          return clear();
        case 'cycle':
          return candidates && candidates.length > 1 && setCandidate((c) => (c + 1) % candidates.length);
        case 'undo':
        case 'redo':
          markPrompt();
          return dispatch({ type: command });
        case 'delete':
          return remove();
        case 'submit':
          return void submit();
        case 'brush':
          return setTool('paint');
        case 'eraser':
          return setTool('erase');
        case 'prompt-tool':
          return setTool('prompt');
        case 'brush-smaller':
          return setBrush((r) => stepBrush(r, -1));
        case 'brush-larger':
          return setBrush((r) => stepBrush(r, 1));
        case 'fit':
          return setFitRequest((n) => n + 1);
        case 'focus':
          return setFocusOn((on) => !on);
        case 'help':
          return setHelp((h) => !h);
        case 'select-next':
          return step(1);
        case 'select-previous':
          return step(-1);
        case 'skip-image':
          return skip();
        case 'previous-image':
          return previous();
      }
    },
    [accept, activity, candidates, clear, previous, remove, skip, step, submit],
  );

  /** Picks the label of new masks, and relabels the selected mask when the annotator may change it. */
  const pickLabel = useCallback(
    (labelId: string | null) => {
      p.onPickLabel(labelId);
      const row = rows.find((r) => r.key === selected);
      if (!row || (row.label?.id || null) === labelId) return;
      const locked = lockOf(row);
      if (locked) return setNotice(`the selected mask keeps its label: ${locked}`);
      if (row.maskId !== null) {
        p.enqueue({ kind: 'label', key: `label-${row.maskId}`, imageId, state: 'pending', message: null, input: { maskId: row.maskId, labelId } });
        return;
      }
      // not sent yet: the save itself carries the new label
      const unsent = p.outbox.find((e) => e.key === row.key);
      if (unsent?.kind === 'save') p.enqueue({ ...unsent, input: { ...unsent.input, labelId } });
    },
    [imageId, lockOf, p, rows, selected],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog) return; // a question is open: its own keys only
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement) return;
      const labelPick = p.labels.length > 0 ? labelKeyPick(e) : null;
      if (labelPick !== null) {
        e.preventDefault();
        activity.record();
        if (labelPick === 'none') return pickLabel(null);
        const label = p.labels[labelPick];
        if (!label) return setNotice(`key ${labelPick + 1} picks no label: this project has ${p.labels.length}`);
        return pickLabel(label.id);
      }
      const command = commandForKey(e);
      if (!command) return;
      e.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run, dialog, p.labels, pickLabel, activity]);

  const conflicts = p.outbox.filter((e) => e.imageId === imageId && e.state !== 'pending');
  return (
    <div className="annotate-workspace" data-testid="annotate-workspace" data-image-id={imageId} data-task-id={p.task.id}>
      <div className="annotate-main">
        <ToolBar
          tool={tool}
          brushRadius={brush}
          candidates={candidates}
          candidate={candidate}
          onTool={setTool}
          onCandidate={setCandidate}
          onAccept={() => run('accept')}
          onClear={() => run('clear')}
          onUndo={() => run('undo')}
          onRedo={() => run('redo')}
          onHelp={() => run('help')}
        />
        <div className="annotate-stage">
          <AnnotateCanvas
            image={p.image.bitmap}
            preview={p.image.preview}
            width={width}
            height={height}
            layers={layers}
            points={prompts.points}
            box={prompts.box}
            tool={tool}
            brushRadius={brush}
            fitRequest={fitRequest}
            onActivity={activity.record}
            onAim={prediction.aim}
            onView={onView}
            focusBox={focusBox}
            onPoint={(x, y, positive) => {
              markPrompt();
              dispatch({ type: 'point', x, y, positive });
              setCandidate(0);
            }}
            onBox={(box) => {
              markPrompt();
              dispatch({ type: 'box', box });
              setCandidate(0);
            }}
            onStroke={(stroke) => dispatch({ type: 'stroke', stroke })}
          />
          {!p.embedding && <div className="stage-status" data-testid="embedding-loading">Preparing the image for segmentation…</div>}
          {focusBadge && (
            <div className={`focus-badge focus-${focusBadge.status}`} data-testid="focus-status" data-status={focusBadge.status} role="status">
              {focusBadge.text}
            </div>
          )}
          {help && <HelpOverlay onClose={() => setHelp(false)} extra={p.labels.length > 0 ? LABEL_SHORTCUTS : []} />}
        </div>
        <div className="annotate-status" data-testid="annotate-status">
          <span data-testid="current-mask-area" data-area={current.area} data-pending={settling ? 'true' : 'false'} data-rle={currentRle}>
            {current.area > 0 ? `mask: ${current.area} px` : 'no mask yet'}
            {chosen ? ` · IoU ${chosen.predictedIou.toFixed(2)}` : ''}
            {editing ? ' · fixing a saved mask (brush, eraser, or click to re-prompt from it)' : ''}
            {sessionActive && focus ? ' · in the focus view' : ''}
          </span>
          <span className="muted">{prompts.clicks === 1 ? '1 click' : `${prompts.clicks} clicks`}</span>
          {activity.slow && (
            <span className="notice-hint" data-testid="slow-hint">
              This mask has taken over 30 s — if it is good enough, accept it and move on.
            </span>
          )}
          {prediction.error && <span className="inline-error">{prediction.error}</span>}
          {notice && (
            <span className="inline-error" role="status" data-testid="annotate-notice">
              {notice}
            </span>
          )}
        </div>
      </div>
      <aside className="annotate-side">
        <button type="button" className="button button-primary submit-image" onClick={() => run('submit')} disabled={p.submitting} data-testid="submit-image" title="S">
          {p.submitting ? 'Submitting…' : 'Submit image (S)'}
        </button>
        <div className="queue-actions">
          <button type="button" className="button button-small" onClick={() => run('skip-image')} disabled={p.submitting || p.skipping} data-testid="skip-image" title="X">
            Skip… (X)
          </button>
          <button type="button" className="button button-small" onClick={() => run('previous-image')} disabled={!p.onPrevious || p.submitting} data-testid="previous-image" title="Shift+P: re-open the image you submitted last">
            ← Previous
          </button>
        </div>
        {server.isError && <QueryError error={server.error} what="the masks" />}
        {conflicts.map((e) => (
          <div key={e.key} className="notice notice-error" role="alert" data-testid="save-conflict">
            <strong>{e.state === 'conflict' ? 'Someone changed this mask meanwhile' : 'A change was refused'}</strong>
            <div className="small">{e.message} — your version is kept in this browser.</div>
            {e.kind === 'update' && (
              <button type="button" className="button" onClick={() => saveAsNew(e, p)}>
                Save mine as a new mask
              </button>
            )}
            <button type="button" className="button button-quiet" onClick={() => p.discard(e.key)}>
              Discard mine
            </button>
          </div>
        ))}
        {p.task.stage === 'semi_automatic' && <Stage2Summary rows={allRows} />}
        <MaskViewControls rows={allRows} view={view} onView={setView} deletable={(row) => lockOf(row) === null} onDelete={(targets, what) => setDialog({ kind: 'bulk-delete', rows: targets, what })} />
        {p.labels.length > 0 && <LabelPicker labels={p.labels} active={p.activeLabelId} onPick={pickLabel} selectedMask={selectedName(rows, selected, colourOf)} />}
        <MaskList rows={rows} selected={selected} onSelect={select} lockOf={lockOf} indexOf={colourOf} />
        {view.hideAuto && allRows.length > rows.length && (
          <p className="muted small" data-testid="hidden-count">
            {allRows.length - rows.length} automatic masks hidden
          </p>
        )}
      </aside>
      {dialog?.kind === 'empty' && (
        <EmptySubmitDialog
          pending={p.submitting}
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            setDialog(null);
            void p.onSubmit(activity.imageMs(), true);
          }}
        />
      )}
      {dialog?.kind === 'skip' && <SkipDialog pending={p.skipping} error={p.skipError} onCancel={() => setDialog(null)} onConfirm={(reason) => void p.onSkip(reason).then(() => setDialog(null), () => undefined)} />}
      {dialog?.kind === 'bulk-delete' && (
        <BulkDeleteDialog
          count={dialog.rows.length}
          what={dialog.what}
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            bulkDelete(dialog.rows);
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** "#3" for the selected mask (its number in the list), null when none is selected. */
function selectedName(rows: readonly MaskRow[], selected: string | null, indexOf: (row: MaskRow) => number): string | null {
  const row = rows.find((r) => r.key === selected);
  return row ? `#${indexOf(row) + 1}` : null;
}

/** A touch-up that lost a version race becomes a mask of its own, so nothing the user did is lost. */
function saveAsNew(entry: Extract<OutboxEntry, { kind: 'update' }>, p: WorkspaceProps): void {
  const key = newKey();
  p.discard(entry.key);
  const { segmentation, activeMs, clicks, pointCoords: coords } = entry.input;
  p.enqueue({ kind: 'save', key, imageId: entry.imageId, state: 'pending', message: null, input: { imageId: entry.imageId, clientKey: key, segmentation, activeMs, clicks, ...(coords ? { pointCoords: coords } : {}) } });
}

/** Stage 2: how many pre-filled masks the model put on this image, and what the annotator does with them. */
function Stage2Summary({ rows }: { rows: readonly MaskRow[] }) {
  const prefilled = rows.filter((r) => r.provenance === 'prefill').length;
  return (
    <p className="notice notice-info stage2-summary" data-testid="stage2-summary" data-prefilled={prefilled}>
      <strong>Stage 2 · semi-automatic.</strong> {prefilled === 1 ? '1 mask was' : `${prefilled} masks were`} pre-filled by the model (dashed label). Delete wrong ones
      (select, <kbd>Del</kbd>), fix others (select with <kbd>N</kbd>/<kbd>P</kbd>, then brush or click), and add the objects that are missing.
    </p>
  );
}
