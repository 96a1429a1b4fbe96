// `dataengine simulate`: the whole engine on a synthetic project whose ground truth is known.
// Stage 1 with a retrain → evaluate (auto-promote) round after every K images, then a prefill run
// and stage-2 review, then an autogen run — all through the use cases, the real queues (the jobs
// run in worker processes) and the database. The simulator only plays the people: a manager who
// uploads, ops who start runs, annotators who click.
import { retrainModeAt, retrainRefitSteps, retrainWarmup, startRunInputSchema, type RetrainParams, type StartRunInput } from '@dataengine/contracts';
import { rleIou } from '@dataengine/segment';
import type { Actor } from '../access/actor';
import { getActiveCheckpoint, type CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { listMasks } from '../masks/masks';
import { setProjectStage } from '../projects/projects';
import { startRun } from '../runs/start-run';
import { annotateAssistedManual, annotateQueue, annotateSemiAutomatic, type AnnotatedImage, type AnnotatorContext, type SimulatedMask } from './simulated-annotator';
import { stageImageCounts, validateSimulationOptions, type SimulatedStage, type SimulationOptions } from './simulation-options';
import { annotationRow, checkpointLabel, describeRetrain, type CheckpointRef, type RetrainRound, type SimulatedImage, type SimulationReport, type SimulationRow } from './simulation-report';
import type { SimulationScene } from './simulation-scenes';
import { createSimulationCast, startingCheckpoint, uploadScenes, type SimulationCast } from './simulation-setup';
import { measureHeldOut, type HeldOutScore } from './held-out-measure';
import { assertRunSucceeded, SimulationError, waitForRun, type WaitOptions } from './simulation-waits';

export interface SimulationHooks {
  /** Progress lines (the CLI prints them on stderr). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** A failed simulation keeps what it measured before the failure. */
export class SimulationFailure extends SimulationError {
  constructor(
    message: string,
    readonly partial: SimulationReport | null,
  ) {
    super(message);
  }
}

const ref = (c: Pick<CheckpointRow, 'id' | 'name'>): CheckpointRef => ({ id: c.id, name: c.name });
const seconds = (since: number) => (performance.now() - since) / 1000;

interface SimulationState {
  deps: EngineDeps;
  options: SimulationOptions;
  hooks: SimulationHooks;
  cast: SimulationCast;
  scenes: Map<number, SimulationScene>;
  report: SimulationReport;
  wait: WaitOptions;
}

export async function runSimulation(deps: EngineDeps, options: SimulationOptions, hooks: SimulationHooks = {}): Promise<SimulationReport> {
  validateSimulationOptions(options);
  const started = performance.now();
  const log = hooks.log ?? (() => undefined);
  const initial = await startingCheckpoint(deps, options.modelDir);
  const cast = await createSimulationCast(deps, options);
  const { modelDir: _modelDir, ...shown } = options;
  const state: SimulationState = {
    deps,
    options,
    hooks,
    cast,
    scenes: new Map(),
    wait: { timeoutMs: options.waitTimeoutMs, signal: hooks.signal },
    report: { project: cast.project, startedWith: ref(initial), options: shown, rows: [], retrains: [], images: [], masks: [], heldOut: [], wallSeconds: 0 },
  };
  log(`project ${cast.project.name} (${cast.project.id}); starting checkpoint ${checkpointLabel(ref(initial))}`);
  const counts = stageImageCounts(options);
  let next = 0;
  const slice = (stage: SimulatedStage) => {
    const indices = Array.from({ length: counts[stage] }, (_, i) => next + i);
    next += counts[stage];
    return indices;
  };
  try {
    if (options.stages.includes(1)) await runAssistedManual(state, slice(1));
    if (options.stages.includes(2)) await runSemiAutomatic(state, slice(2));
    if (options.stages.includes(3)) await runFullyAutomatic(state, slice(3));
  } catch (error) {
    state.report.wallSeconds = seconds(started);
    const message = error instanceof Error ? error.message : String(error);
    throw new SimulationFailure(message, state.report);
  }
  state.report.wallSeconds = seconds(started);
  return state.report;
}

async function upload(state: SimulationState, stage: SimulatedStage, indices: number[], heldOut = false): Promise<number[]> {
  state.hooks.log?.(`stage ${stage}: uploading and ingesting ${indices.length} synthetic ${state.options.scenes} images${heldOut ? ' as the held-out (val) set' : ''}…`);
  const { valEvery } = state.options;
  const val = (position: number) => heldOut || (stage === 1 && valEvery > 0 && position % valEvery === valEvery - 1);
  const scenes = await uploadScenes(state.deps, state.cast.manager, state.cast.project.id, indices, state.options, state.wait, val);
  for (const [imageId, scene] of scenes) {
    state.scenes.set(imageId, scene);
    state.report.images.push({ imageId, index: scene.index, sceneSeed: scene.sceneSeed, stage } satisfies SimulatedImage);
  }
  return [...scenes.keys()];
}

const runSeconds = (run: { startedAt: Date | null; finishedAt: Date | null }): number | null =>
  run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null;

/**
 * After a promotion: how long until every image of the project has the new checkpoint's embedding,
 * and how many the encoder had to compute (a fast retrain's candidate shares its parent's).
 */
async function awaitEmbeddings(state: SimulationState, checkpoint: CheckpointRow): Promise<NonNullable<RetrainRound['promotion']>> {
  const { deps, cast } = state;
  const started = performance.now();
  const images = await deps.db.image.count({ where: { projectId: cast.project.id, status: 'ready' } });
  const deadline = Date.now() + state.options.waitTimeoutMs;
  for (;;) {
    const rows = await deps.db.embedding.findMany({ where: { checkpointId: checkpoint.id, image: { projectId: cast.project.id } }, select: { blobKey: true } });
    if (rows.length >= images || Date.now() > deadline || state.hooks.signal?.aborted) {
      // stored keys name the bundle that computed them (embeddingKey): another bundle's means shared
      const own = `embeddings/${checkpoint.bundleHash.slice(0, 16)}/`;
      return { seconds: (performance.now() - started) / 1000, images, embedded: rows.length, computed: rows.filter((r) => r.blobKey.startsWith(own)).length };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const context = (state: SimulationState): AnnotatorContext => ({ deps: state.deps, options: state.options, scenes: state.scenes, signal: state.hooks.signal });

function progress(state: SimulationState, label: string, total: number) {
  let n = 0;
  return (image: AnnotatedImage, annotator: Actor) => {
    n++;
    const clicks = image.masks.reduce((s, m) => s + m.clicks, 0);
    const clicked = image.masks.filter((m) => m.provenance === 'manual');
    const perClicked = (total: number, digits: number) => (clicked.length ? (total / clicked.length).toFixed(digits) : '–');
    const modelIou = clicked.reduce((s, m) => s + m.modelIou, 0);
    state.hooks.log?.(`${label}: image ${n}/${total} by ${annotator.email.split('@')[0]}: ${image.masks.length} masks, ${perClicked(clicks, 1)} clicks/mask, model IoU ${perClicked(modelIou, 3)}`);
  };
}

const objectsOn = (state: SimulationState, images: readonly AnnotatedImage[]) => images.reduce((s, i) => s + state.scenes.get(i.imageId)!.objects.length, 0);

async function checkpointsOf(state: SimulationState, ids: Iterable<string | null>): Promise<CheckpointRef[]> {
  const unique = [...new Set([...ids].filter((id): id is string => id !== null))];
  const rows = await state.deps.db.checkpoint.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } });
  return unique.map((id) => rows.find((r) => r.id === id)).filter((r): r is { id: string; name: string } => r !== undefined);
}

/** The active checkpoint's score on the never-uploaded scenes (measured once per checkpoint). */
async function scoreHeldOut(state: SimulationState, checkpoint: CheckpointRow | null): Promise<HeldOutScore | null> {
  if (!checkpoint || state.options.heldOutScenes === 0) return null;
  const known = state.report.heldOut.find((h) => h.checkpoint.id === checkpoint.id);
  if (known) return known;
  const score = await measureHeldOut(state.deps, checkpoint, state.options, state.hooks.signal);
  state.report.heldOut.push(score);
  state.hooks.log?.(`held-out: ${checkpointLabel(ref(checkpoint))} mIoU@1 ${score.miou1.toFixed(3)}, @3 ${score.miou3.toFixed(3)} on ${score.objects} objects of ${score.images} unseen ${state.options.scenes} scenes (${score.seconds.toFixed(1)} s)`);
  return score;
}

async function annotateRound(state: SimulationState, round: number, quota: number): Promise<AnnotatedImage[]> {
  const active = await getActiveCheckpoint(state.deps, state.cast.project.id);
  const heldOut = await scoreHeldOut(state, active);
  state.hooks.log?.(`stage 1 ${round === 0 ? 'held-out set' : `round ${round}`}: ${quota} images with ${active ? checkpointLabel(ref(active)) : 'no active checkpoint'}`);
  const started = performance.now();
  const done = await annotateQueue(context(state), state.cast.annotators, {
    projectId: state.cast.project.id,
    quota,
    round,
    annotate: annotateAssistedManual,
    onImage: progress(state, `stage 1 ${round === 0 ? 'held-out' : `round ${round}`}`, quota),
  });
  if (done.length === 0) throw new SimulationError('stage 1: the annotators found no tasks; were the images ingested into this project?');
  const masks = done.flatMap((i) => i.masks);
  state.report.masks.push(...masks);
  state.report.rows.push({
    ...annotationRow({
      stage: 1,
      round,
      images: done.length,
      objects: objectsOn(state, done),
      masks,
      abandoned: done.reduce((s, i) => s + i.abandoned, 0),
      checkpoints: await checkpointsOf(state, masks.map((m) => m.checkpointId)),
      wallSeconds: seconds(started),
    }),
    heldOutMiou1: heldOut?.miou1 ?? null,
  });
  return done;
}

async function runAssistedManual(state: SimulationState, indices: number[]): Promise<void> {
  const { options } = state;
  if (options.valImages > 0) {
    // the project's held-out set first: annotated like any image, never trained on, what evaluate scores
    const valIndices = Array.from({ length: options.valImages }, (_, i) => options.images + i);
    const valIds = await upload(state, 1, valIndices, true);
    await annotateRound(state, 0, valIds.length);
  }
  const imageIds = await upload(state, 1, indices);
  let submitted = 0;
  for (let round = 1; submitted < imageIds.length; round++) {
    const quota = options.retrainEvery > 0 ? Math.min(options.retrainEvery, imageIds.length - submitted) : imageIds.length - submitted;
    const done = await annotateRound(state, round, quota);
    submitted += done.length;
    // the last round retrains too when it is full: stage 2's detector learns from all of stage 1
    if (options.retrainEvery > 0 && done.length === options.retrainEvery) await retrainRound(state, round, submitted);
  }
}

function runInput(input: Record<string, unknown>): StartRunInput {
  return startRunInputSchema.parse(input);
}

/** retrain (fine-tune the active checkpoint on the project's masks) → evaluate (auto-promote by margin). */
async function retrainRound(state: SimulationState, round: number, afterImages: number): Promise<void> {
  const { deps, cast, options } = state;
  const started = performance.now();
  const record: RetrainRound = { round, afterImages, mode: null, retrainRunId: null, evaluateRunId: null, candidate: null, decision: null, promoted: false, evaluation: null, activeAfter: { id: '', name: '' }, retrainSeconds: null, evaluateSeconds: null, promotion: null, heldOutCandidate: null, heldOutAfter: null, wallSeconds: 0, error: null };
  const before = await getActiveCheckpoint(deps, cast.project.id);
  try {
    const mode = options.retrainMode !== null || options.retrainFullEvery > 0 ? retrainModeAt(state.report.retrains.length + 1, options.retrainFullEvery, options.retrainMode ?? undefined) : null;
    const params = runInput({
      kind: 'retrain',
      projectId: cast.project.id,
      steps: mode === 'full' ? options.retrainFullSteps : options.retrainSteps,
      ...(options.retrainWarmup !== null ? { warmup: options.retrainWarmup } : {}),
      ...(options.retrainLr !== null ? { lr: options.retrainLr } : {}),
      ...(options.retrainHardExamples ? { hardExamples: true } : {}),
      ...(mode !== null ? { mode } : {}),
      evaluate: false,
      seed: options.seed,
    }) as RetrainParams & { kind: 'retrain' };
    const refit = retrainRefitSteps(params);
    state.hooks.log?.(`retrain ${round}: ${params.mode} mode, ${params.steps} steps${refit ? ` + ${refit} refit steps` : ''} (warm-up ${retrainWarmup(params)}, lr ${params.lr}) on the masks of ${afterImages} images…`);
    record.mode = params.mode;
    const retrain = await startRun(deps, cast.ops, params);
    record.retrainRunId = retrain.id;
    const trained = await waitForRun(deps, retrain.id, `retrain run ${retrain.id}`, { ...state.wait, onProgress: (r) => state.hooks.log?.(`retrain ${round}: ${r.status} step ${r.done}/${r.total}`) });
    assertRunSucceeded(trained, 'the retrain run');
    record.retrainSeconds = runSeconds(trained);
    const candidateId = (trained.result as { candidateId?: unknown } | null)?.candidateId;
    if (typeof candidateId !== 'string') throw new SimulationError(`retrain run ${retrain.id} succeeded without a candidateId in its result`);
    const candidate = await deps.db.checkpoint.findUniqueOrThrow({ where: { id: candidateId } });
    record.candidate = ref(candidate);
    // what the retrain bought, whatever the gate decides
    record.heldOutCandidate = (await scoreHeldOut(state, candidate))?.miou1 ?? null;
    state.hooks.log?.(`retrain ${round}: candidate ${checkpointLabel(record.candidate)}; evaluating against the active checkpoint…`);
    const evaluate = await startRun(deps, cast.ops, runInput({ kind: 'evaluate', projectId: cast.project.id, candidateId, autoPromoteMargin: options.autoPromoteMargin }));
    record.evaluateRunId = evaluate.id;
    const evaluated = await waitForRun(deps, evaluate.id, `evaluate run ${evaluate.id}`, state.wait);
    assertRunSucceeded(evaluated, 'the evaluate run');
    record.evaluateSeconds = runSeconds(evaluated);
    const result = (evaluated.result ?? {}) as Record<string, unknown>;
    record.evaluation = result;
    record.decision = typeof result['decision'] === 'string' ? result['decision'] : null;
  } catch (error) {
    if (state.hooks.signal?.aborted) throw error;
    record.error = error instanceof Error ? error.message : String(error);
  }
  const after = await getActiveCheckpoint(deps, cast.project.id);
  record.activeAfter = after ? ref(after) : { id: '', name: 'none' };
  record.promoted = after !== null && after.id !== before?.id && after.id === record.candidate?.id;
  if (record.promoted && after) record.promotion = await awaitEmbeddings(state, after);
  if (!state.hooks.signal?.aborted) record.heldOutAfter = (await scoreHeldOut(state, after))?.miou1 ?? null;
  record.wallSeconds = seconds(started);
  state.report.retrains.push(record);
  state.hooks.log?.(describeRetrain(record));
}

async function runImageRun(state: SimulationState, kind: 'prefill' | 'autogen', imageIds: number[]) {
  const { deps, cast } = state;
  const params = kind === 'prefill' ? state.options.prefill : state.options.autogen;
  const run = await startRun(deps, cast.ops, runInput({ ...params, kind, projectId: cast.project.id, imageIds }));
  const finished = await waitForRun(deps, run.id, `the ${kind} run ${run.id}`, { ...state.wait, onProgress: (r) => state.hooks.log?.(`${kind}: ${r.done + r.failed}/${r.total} images`) });
  assertRunSucceeded(finished, `the ${kind} run`);
  if (finished.failed > 0) throw new SimulationError(`the ${kind} run failed on ${finished.failed} of ${finished.total} images: ${finished.error ?? ''}`);
  return finished;
}

async function runSemiAutomatic(state: SimulationState, indices: number[]): Promise<void> {
  const { deps, cast } = state;
  await setProjectStage(deps, cast.manager, { projectId: cast.project.id, stage: 'semi_automatic' });
  const imageIds = await upload(state, 2, indices);
  const started = performance.now();
  state.hooks.log?.(`stage 2: prefill run over ${imageIds.length} images…`);
  const run = await runImageRun(state, 'prefill', imageIds);
  const done = await annotateQueue(context(state), cast.annotators, {
    projectId: cast.project.id,
    quota: imageIds.length,
    round: 1,
    annotate: annotateSemiAutomatic,
    onImage: progress(state, 'stage 2', imageIds.length),
  });
  const masks = done.flatMap((i) => i.masks);
  state.report.masks.push(...masks);
  const reviewed = done.reduce((s, i) => s + i.prefillReviewed, 0);
  const deleted = done.reduce((s, i) => s + i.prefillDeleted, 0);
  state.report.rows.push(
    annotationRow({
      stage: 2,
      round: null,
      images: done.length,
      objects: objectsOn(state, done),
      masks,
      abandoned: done.reduce((s, i) => s + i.abandoned, 0),
      checkpoints: await checkpointsOf(state, [run.checkpointId, ...masks.map((m) => m.checkpointId)]),
      prefill: { masks: reviewed, kept: reviewed - deleted, deleted },
      wallSeconds: seconds(started),
    }),
  );
}

async function runFullyAutomatic(state: SimulationState, indices: number[]): Promise<void> {
  const { deps, cast, options } = state;
  await setProjectStage(deps, cast.manager, { projectId: cast.project.id, stage: 'fully_automatic' });
  const imageIds = await upload(state, 3, indices);
  const started = performance.now();
  state.hooks.log?.(`stage 3: autogen run over ${imageIds.length} images…`);
  const run = await runImageRun(state, 'autogen', imageIds);
  let masks = 0;
  const best: number[] = [];
  for (const imageId of imageIds) {
    const auto = (await listMasks(deps, cast.ops, { imageId })).filter((m) => m.provenance === 'auto');
    masks += auto.length;
    for (const object of state.scenes.get(imageId)!.objects) {
      best.push(auto.reduce((b, m) => Math.max(b, rleIou(m.segmentation, object.rle)), 0));
    }
  }
  const miou = best.length > 0 ? best.reduce((s, v) => s + v, 0) / best.length : null;
  const row: SimulationRow = {
    stage: 3,
    round: null,
    images: imageIds.length,
    masks,
    masksPerImage: imageIds.length > 0 ? masks / imageIds.length : 0,
    clickedMasks: 0,
    clicks: 0,
    clicksPerMask: null,
    secondsPerMask: null,
    strokesPerMask: null,
    touchUpSecondsPerMask: null,
    miou,
    modelMiou: miou,
    reachedTarget: best.length > 0 ? best.filter((v) => v >= options.targetIou).length / best.length : null,
    objects: best.length,
    abandoned: 0,
    checkpoints: await checkpointsOf(state, [run.checkpointId]),
    wallSeconds: seconds(started),
  };
  state.report.rows.push(row);
}

export type { SimulatedMask };
