// The `retrain` job: dataset snapshot → `trainer train` (fine-tuning the run's init checkpoint; in
// fast mode on its stored embeddings with the encoder frozen) →
// `trainer export` → the bundle registered as a candidate with its lineage → optionally an
// evaluate run against the active checkpoint. Cancel → SIGTERM to the trainer, no candidate.
// Every step that reads or writes the database or the store waits out an outage of it
// (waitOutOutage) instead of failing the run; the trainer's own failures fail it at once.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError, evaluateParamsSchema, retrainParamsSchema, retrainRefitSteps, retrainWarmup, type RetrainParams } from '@dataengine/contracts';
import { PermanentJobError } from '@dataengine/queue';
import { LocalBlobStore } from '@dataengine/storage';
import { SYSTEM_ACTOR } from '../access/actor';
import { checkpointDir, registerCheckpoint, type CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { SA1B_DATASET_FILES, writeSa1bDataset, type Sa1bDatasetManifest } from '../exchange/sa1b-dataset';
import { encoderHashOfDir } from '../checkpoints/encoder-identity';
import { shareEmbeddings } from '../embeddings/shared-embeddings';
import { InfrastructureUnavailableError, isInfrastructureOutage, waitOutOutage } from '../infrastructure-outage';
import { loadLiveRun, markRunRunning, startSingleJobRun, type RunRow } from '../runs/run-control';
import { markRetrainStarted } from './retrain-schedule';
import { closeRun, errorMessage, failAbandonedRuns, RunCancelledError, watchRun, type RunWatch } from './run-watch';
import { runTrainerCommand, spawnTrainer, type TrainerEvent } from './trainer-process';

/** A retrain whose worker died this many times is failed instead of started again. */
const MAX_STARTS = 3;

interface RetrainProgress {
  starts?: number;
  trainerPid?: number;
  host?: string;
}

interface TrainOutcome {
  stepsDone: number;
  lossAvg: number | null;
  iouRefinedAvg: number | null;
  elapsedSeconds: number | null;
  stoppedBy: string | null;
  /** fast mode: training images whose embedding the trainer computed (none stored) */
  embeddingsComputed: number | null;
  /** the trainer's word on the stored embeddings (used, or why not) */
  embeddingsNote: string | null;
  /** hard-example sampling: the starting checkpoint's one-click IoU over the training masks it weighed */
  hardExamples: { masks: number; parentMeanIou: number | null } | null;
}

export const snapshotKeyOf = (runId: string) => `snapshots/${runId}`;

export async function runRetrain(deps: EngineDeps, input: { runId: string }): Promise<void> {
  const fields = { runId: input.runId };
  const run = await waitOutOutage(deps, 'load the retrain run', async () => {
    await failAbandonedRuns(deps);
    return loadLiveRun(deps, input.runId, 'retrain');
  }, fields);
  if (!run) return;
  const parsed = retrainParamsSchema.safeParse(run.params);
  if (!parsed.success || !run.projectId || !run.checkpointId) {
    const why = parsed.success ? 'it has no project or init checkpoint' : parsed.error.message;
    await closeRun(deps, run.id, { status: 'failed', error: `invalid retrain run: ${why}` });
    throw new PermanentJobError(`retrain ${run.id}: invalid run (${why})`);
  }
  const previous = (run.progress ?? {}) as RetrainProgress;
  const starts = (previous.starts ?? 0) + 1;
  if (run.status === 'running') {
    // The worker that ran it died (BullMQ gave the job back): whatever it left is discarded.
    deps.logger.warn('retrain restarted after its worker stopped', { runId: run.id, starts });
    await stopOrphanTrainer(previous, run.id);
    if (starts > MAX_STARTS) {
      await closeRun(deps, run.id, { status: 'failed', error: `the worker stopped ${starts - 1} times during this retrain; start a new one (check the worker's memory and logs)` });
      return;
    }
  }
  const projectId = run.projectId;
  await waitOutOutage(deps, 'mark the run running', async () => {
    await markRunRunning(deps, run.id);
    if (starts === 1) await markRetrainStarted(deps, projectId);
  }, fields);
  const workRoot = path.join(deps.settings.blobDir, '.work', 'retrain');
  const workDir = path.join(workRoot, `${run.id}-${starts}`);
  const snapshotDir = path.join(deps.settings.blobDir, snapshotKeyOf(run.id));
  await removeRunDirs(workRoot, run.id);
  await rm(snapshotDir, { recursive: true, force: true });

  const watch = watchRun(deps, run.id, { phase: 'snapshot', starts, steps: parsed.data.steps });
  const state: RetrainState = { exportedBundle: null };
  let keepSnapshot = false;
  let keepWorkDir = false;
  let outcome: Parameters<typeof closeRun>[2];
  let rethrow: unknown = null;
  try {
    const result = await retrain(deps, run, parsed.data, { watch, workDir, snapshotDir, state });
    keepSnapshot = true;
    outcome = { status: 'succeeded', result };
  } catch (error) {
    if (error instanceof RunCancelledError || watch.signal.aborted) {
      // the run's error already says who cancelled; add how far it got
      outcome = { status: 'cancelled', error: error instanceof RunCancelledError && error !== watch.signal.reason ? error.message : null };
    } else if (error instanceof InfrastructureUnavailableError) {
      // the outage outlasted the wait: a trained bundle stays where it is (with its snapshot), not thrown away
      keepWorkDir = keepSnapshot = state.exportedBundle !== null;
      const kept = state.exportedBundle ? `; the trained bundle is kept at ${state.exportedBundle} (its dataset snapshot under ${snapshotKeyOf(run.id)})` : '';
      const message = `${error.message}${kept}; start a new retrain once it is back`;
      outcome = { status: 'failed', error: message };
      rethrow = new PermanentJobError(`retrain ${run.id}: ${message}`, { cause: error });
    } else {
      const message = errorMessage(error);
      outcome = { status: 'failed', error: message };
      rethrow = error instanceof AppError || error instanceof TrainerFailure ? new PermanentJobError(`retrain ${run.id}: ${message}`) : error;
    }
  } finally {
    await watch.stop();
    // clean up before the run reads as finished, so whoever waits for it finds no leftovers
    if (!keepWorkDir) await rm(workDir, { recursive: true, force: true });
    if (!keepSnapshot) await rm(snapshotDir, { recursive: true, force: true });
  }
  await closeRun(deps, run.id, outcome);
  if (rethrow) throw rethrow;
}

/** What a retrain has made so far that must outlive a failure of the database or store. */
interface RetrainState {
  /** The exported bundle's directory, once `trainer export` wrote it. */
  exportedBundle: string | null;
}

/**
 * The snapshot is written to local disk (the trainer reads files); with a remote store (S3) its
 * files are then uploaded under its key, so every host finds it there (held-out exclusion reads
 * its split), and the local copy goes. With the local store it already sits under its key.
 */
async function publishSnapshot(deps: EngineDeps, dir: string, key: string): Promise<void> {
  if (deps.blobs instanceof LocalBlobStore) return;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    await deps.blobs.putFile(`${key}/${path.relative(dir, file).split(path.sep).join('/')}`, file);
  }
  await rm(dir, { recursive: true, force: true });
}

class TrainerFailure extends Error {
  override readonly name = 'TrainerFailure';
}

async function retrain(deps: EngineDeps, run: RunRow, params: RetrainParams, dirs: { watch: RunWatch; workDir: string; snapshotDir: string; state: RetrainState }): Promise<Record<string, unknown>> {
  const { watch } = dirs;
  const projectId = run.projectId!;
  const fields = { runId: run.id };
  const init = await waitOutOutage(deps, 'read the init checkpoint', () => deps.db.checkpoint.findUnique({ where: { id: run.checkpointId! } }), fields);
  if (!init) throw new AppError('NOT_FOUND', `the init checkpoint ${run.checkpointId} no longer exists; start a new retrain`);
  const initDir = await waitOutOutage(deps, 'fetch the init checkpoint', () => checkpointDir(deps, init), fields);

  const snapshotStart = performance.now();
  // a try cut short by an outage leaves a partial directory: the next one starts it afresh
  const snapshot = await waitOutOutage(deps, 'write the dataset snapshot', async () => {
    await rm(dirs.snapshotDir, { recursive: true, force: true });
    return writeSa1bDataset(deps, {
      projectId,
      dir: dirs.snapshotDir,
      valFraction: params.valFraction,
      seed: params.seed,
      includeImages: true,
      signal: watch.signal,
      onProgress: (written, total) => watch.update({ phase: 'snapshot', snapshotImages: written, snapshotTotal: total }),
    });
  }, fields);
  const snapshotSeconds = (performance.now() - snapshotStart) / 1000;
  if (snapshot.counts.train === 0) throw new AppError('CONFLICT', `the snapshot has no training images (${snapshot.counts.images} image(s), all held out); annotate more images`);
  watch.update({ phase: 'training', snapshotId: snapshot.id, snapshot: snapshot.counts, snapshotSeconds: round(snapshotSeconds, 2) }, { done: 0, total: params.steps + retrainRefitSteps(params) });

  // fast: the frozen encoder's embeddings, as the engine stored them for the init checkpoint
  const embeddingsDir = params.mode === 'fast' ? path.join(dirs.workDir, 'embeddings') : null;
  const stored = embeddingsDir
    ? await waitOutOutage(deps, 'write the stored embeddings', () => writeStoredEmbeddings(deps, init, { snapshotDir: dirs.snapshotDir, initDir, dir: embeddingsDir, watch }), fields)
    : null;
  const trained = await train(deps, params, { watch, initDir, snapshotDir: dirs.snapshotDir, runDir: path.join(dirs.workDir, 'run'), runId: run.id, embeddingsDir });
  const name = await waitOutOutage(deps, 'name the candidate', async () => {
    const project = await deps.db.project.findUniqueOrThrow({ where: { id: projectId }, select: { slug: true } });
    const roundNo = (await deps.db.checkpoint.count({ where: { projectId } })) + 1;
    return `${project.slug} r${roundNo}`;
  }, fields);
  watch.update({ phase: 'exporting' });
  const bundleDir = path.join(dirs.workDir, 'bundle');
  const exportArgs = ['--checkpoint', path.join(dirs.workDir, 'run', 'checkpoint.pt'), '--out', bundleDir, '--name', name, '--threads', String(deps.settings.TRAINER_THREADS)];
  // the frozen encoder's graph is the parent's, byte for byte: the candidate shares its embeddings
  if (params.mode === 'fast') exportArgs.push('--encoder-from', initDir);
  const exported = await runTrainerCommand(deps.settings, 'export', exportArgs);
  if (exported.error) throw new TrainerFailure(`trainer export failed: ${exported.error}`);
  dirs.state.exportedBundle = bundleDir;
  watch.signal.throwIfAborted();

  watch.update({ phase: 'registering' });
  await waitOutOutage(deps, 'upload the dataset snapshot', () => publishSnapshot(deps, dirs.snapshotDir, snapshotKeyOf(run.id)), fields);
  // registering is keyed by the bundle's hash: a try whose answer was lost finds its row
  const candidate = await waitOutOutage(deps, 'register the candidate checkpoint', () => registerCheckpoint(deps, SYSTEM_ACTOR, {
    dir: bundleDir,
    name,
    parentId: init.id,
    projectId,
    snapshotKey: snapshotKeyOf(run.id),
    metrics: { training: { mode: params.mode, steps: trained.stepsDone, ...(params.mode === 'full' ? { refitSteps: retrainRefitSteps(params) } : {}), lossAvg: trained.lossAvg, iouRefinedAvg: trained.iouRefinedAvg, seconds: trained.elapsedSeconds, snapshotId: snapshot.id, ...(stored ? { storedEmbeddings: stored.written } : {}) } },
  }), fields);
  await waitOutOutage(deps, 'check the run for a cancel request', () => rejectIfCancelled(deps, run.id, candidate), fields);
  const evaluation = params.evaluate ? await startEvaluation(deps, projectId, candidate) : { evaluateRunId: null };
  return {
    candidateId: candidate.id,
    candidateName: candidate.name,
    parentId: init.id,
    mode: params.mode,
    steps: trained.stepsDone,
    warmup: retrainWarmup(params),
    ...(params.mode === 'full' ? { refitSteps: retrainRefitSteps(params) } : {}),
    ...(stored ? { storedEmbeddings: stored.written, embeddingsComputed: trained.embeddingsComputed, embeddingsNote: trained.embeddingsNote } : {}),
    ...(trained.hardExamples ? { hardExamples: trained.hardExamples } : {}),
    snapshotId: snapshot.id,
    snapshotKey: snapshotKeyOf(run.id),
    snapshot: snapshot.counts,
    snapshotSeconds: round(snapshotSeconds, 2),
    trainSeconds: trained.elapsedSeconds,
    lossAvg: trained.lossAvg,
    ...evaluation,
  };
}

/**
 * Copies the init checkpoint's stored embeddings of the snapshot's training images into `dir` for
 * `trainer train --mode fast --embeddings dir` (embeddings.json names the encoder; the trainer
 * computes any image that has none). Embeddings shared from a checkpoint with the same encoder count.
 */
async function writeStoredEmbeddings(deps: EngineDeps, init: CheckpointRow, input: { snapshotDir: string; initDir: string; dir: string; watch: RunWatch }): Promise<{ written: number }> {
  const split = JSON.parse(await readFile(path.join(input.snapshotDir, SA1B_DATASET_FILES.split), 'utf8')) as { train?: number[] };
  const train = (split.train ?? []).filter((id) => Number.isInteger(id));
  await mkdir(input.dir, { recursive: true });
  await shareEmbeddings(deps, init, train);
  const rows = await deps.db.embedding.findMany({ where: { checkpointId: init.id, imageId: { in: train }, dtype: 'float16' }, select: { imageId: true, blobKey: true, shape: true } });
  let written = 0;
  for (const row of rows) {
    input.watch.signal.throwIfAborted();
    if (row.shape.join('x') !== EMBEDDING_SHAPE.join('x') || !(await deps.blobs.stat(row.blobKey))) continue;
    await writeFile(path.join(input.dir, `sa_${row.imageId}.emb.f16`), await deps.blobs.get(row.blobKey));
    written++;
    if (written % 20 === 0) input.watch.update({ phase: 'embeddings', embeddingsWritten: written, embeddingsTotal: train.length });
  }
  const index = { dtype: 'float16', shape: EMBEDDING_SHAPE, encoder_sha256: await encoderHashOfDir(input.initDir), checkpoint_id: init.id, count: written };
  await writeFile(path.join(input.dir, 'embeddings.json'), `${JSON.stringify(index, null, 2)}\n`);
  input.watch.update({ phase: 'embeddings', embeddingsWritten: written, embeddingsTotal: train.length });
  return { written };
}

const EMBEDDING_SHAPE = [1, 256, 64, 64];

async function train(deps: EngineDeps, params: RetrainParams, input: { watch: RunWatch; initDir: string; snapshotDir: string; runDir: string; runId: string; embeddingsDir: string | null }): Promise<TrainOutcome> {
  const { watch } = input;
  watch.signal.throwIfAborted();
  const logEvery = Math.min(10, Math.max(1, Math.floor(params.steps / 200)));
  // a full retrain's refit steps follow its own (trainer events say which phase a step belongs to)
  const refitSteps = retrainRefitSteps(params);
  const totalSteps = params.steps + refitSteps;
  const args = [
    '--data', input.snapshotDir, '--out', input.runDir, '--init', input.initDir,
    '--steps', String(params.steps), ...(params.batch !== undefined ? ['--batch', String(params.batch)] : []), '--lr', String(params.lr), '--warmup', String(retrainWarmup(params)),
    '--seed', String(params.seed), '--threads', String(deps.settings.TRAINER_THREADS), '--log-every', String(logEvery),
    '--mode', params.mode, ...(refitSteps > 0 ? ['--refit-steps', String(refitSteps)] : []), ...(input.embeddingsDir ? ['--embeddings', input.embeddingsDir] : []),
    ...(params.hardExamples && params.mode === 'fast' ? ['--hard-examples'] : []),
  ];
  const outcome: TrainOutcome = { stepsDone: 0, lossAvg: null, iouRefinedAvg: null, elapsedSeconds: null, stoppedBy: null, embeddingsComputed: null, embeddingsNote: null, hardExamples: null };
  const trainer = spawnTrainer(deps.settings, 'train', args, (e: TrainerEvent) => {
    if (e.event === 'embeddings_progress') {
      watch.update({ phase: 'embeddings', embeddingsReady: num(e['images']), embeddingsTotal: num(e['total']) });
    } else if (e.event === 'hard_examples') {
      outcome.hardExamples = { masks: num(e['masks']) ?? 0, parentMeanIou: num(e['mean_iou']) };
    } else if (e.event === 'embeddings_ready') {
      outcome.embeddingsComputed = num(e['computed']);
      outcome.embeddingsNote = typeof e['note'] === 'string' ? e['note'] : null;
      watch.update({ phase: 'training', embeddingsStored: num(e['stored']), embeddingsComputed: outcome.embeddingsComputed, embeddingsNote: outcome.embeddingsNote });
    } else if (e.event === 'train_step') {
      const step = (e['phase'] === 'refit' ? params.steps : 0) + (num(e['step']) ?? 0);
      outcome.stepsDone = step;
      outcome.lossAvg = num(e['loss_avg']);
      outcome.iouRefinedAvg = num(e['iou_refined_avg']);
      watch.update(
        // a full retrain's refit phase: the decoder fitted to the new encoder (its steps follow the full ones)
        { phase: e['phase'] === 'refit' ? 'refitting' : 'training', step, loss: num(e['loss']), lossAvg: outcome.lossAvg, lr: num(e['lr']), iouFirstAvg: num(e['iou_first_avg']), iouRefinedAvg: outcome.iouRefinedAvg, elapsedSeconds: num(e['elapsed_s']),
          // the trainer's ETA is its phase's: during the full steps of a run with a refit phase the
          // run's list estimates from steps done over all steps instead (refit steps are cheaper, so it errs long)
          etaSeconds: e['phase'] === 'full' ? null : num(e['eta_s']) },
        { done: step, total: totalSteps },
      );
    } else if (e.event === 'calibrate_progress') {
      // after the last step the trainer fits the IoU calibration on the snapshot's training images
      watch.update({ phase: 'calibrating', calibratedImages: num(e['images']), calibrationImages: num(e['total']) });
    } else if (e.event === 'train_done') {
      outcome.stepsDone = num(e['steps_done']) ?? outcome.stepsDone;
      outcome.elapsedSeconds = num(e['elapsed_s']);
      outcome.stoppedBy = typeof e['stopped_by'] === 'string' ? e['stopped_by'] : null;
      outcome.lossAvg = num(e['loss_avg']) ?? outcome.lossAvg;
    }
  });
  const onCancel = () => trainer.stop();
  watch.signal.addEventListener('abort', onCancel, { once: true });
  watch.update({ trainerPid: trainer.pid, host: os.hostname() });
  // the pid lets a later start stop an orphaned trainer; while the database is away it is written by a later tick
  await watch.flush().catch((error: unknown) => {
    if (!isInfrastructureOutage(error)) throw error;
    deps.logger.warn('could not record the trainer process yet; training goes on', { runId: input.runId, error });
  });
  const exit = await trainer.done;
  watch.signal.removeEventListener('abort', onCancel);
  if (watch.signal.aborted) throw new RunCancelledError(`the trainer stopped at step ${outcome.stepsDone} of ${totalSteps}`);
  if (exit.error) throw new TrainerFailure(`trainer failed: ${exit.error}`);
  if (outcome.stoppedBy) throw new TrainerFailure(`the trainer was stopped by ${outcome.stoppedBy} at step ${outcome.stepsDone} of ${totalSteps} (not by a cancel); start a new retrain`);
  return outcome;
}

/** A cancel that arrived while the bundle was being registered: the candidate is withdrawn. */
async function rejectIfCancelled(deps: EngineDeps, runId: string, candidate: CheckpointRow): Promise<void> {
  const run = await deps.db.run.findUniqueOrThrow({ where: { id: runId }, select: { cancelRequestedAt: true } });
  if (!run.cancelRequestedAt || candidate.status !== 'candidate') return;
  await deps.db.$transaction([
    deps.db.checkpoint.update({ where: { id: candidate.id }, data: { status: 'rejected' } }),
    deps.db.checkpointEvent.create({ data: { checkpointId: candidate.id, action: 'reject', fromStatus: 'candidate', toStatus: 'rejected', reason: `retrain run ${runId} was cancelled` } }),
  ]);
  throw new RunCancelledError('cancelled while the candidate was being registered; it was withdrawn');
}

/** The candidate is registered either way; a queue outage only means ops starts the evaluation. */
async function startEvaluation(deps: EngineDeps, projectId: string, candidate: CheckpointRow): Promise<{ evaluateRunId: string | null; evaluateError?: string }> {
  const params = evaluateParamsSchema.parse({ projectId, candidateId: candidate.id, autoPromoteMargin: deps.settings.AUTO_PROMOTE_MARGIN });
  try {
    const run = await startSingleJobRun(deps, SYSTEM_ACTOR, { kind: 'evaluate', projectId, params, checkpointId: candidate.id });
    return { evaluateRunId: run.id };
  } catch (error) {
    deps.logger.warn('could not start the evaluation of a new candidate', { checkpointId: candidate.id, error });
    return { evaluateRunId: null, evaluateError: `the evaluate run could not be started (${errorMessage(error)}); start it from the console` };
  }
}

/** Kills the trainer a dead worker left behind (same host, and its command line names this run). */
async function stopOrphanTrainer(previous: RetrainProgress, runId: string): Promise<void> {
  if (!previous.trainerPid || previous.host !== os.hostname()) return;
  const cmdline = await readFile(`/proc/${previous.trainerPid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('dataengine_trainer') || !cmdline.includes(runId)) return;
  try {
    process.kill(previous.trainerPid, 'SIGKILL');
  } catch {
    // it exited between the check and the kill
  }
}

async function removeRunDirs(workRoot: string, runId: string): Promise<void> {
  const entries = await readdir(workRoot).catch(() => [] as string[]);
  for (const name of entries) if (name.startsWith(`${runId}-`)) await rm(path.join(workRoot, name), { recursive: true, force: true });
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const round = (v: number, digits: number) => Number(v.toFixed(digits));
