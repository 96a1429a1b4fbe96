// The `evaluate` job: the candidate and the checkpoint it would replace (the active one in its
// scope, unless a baseline is given) scored on the same held-out set — the project's val images,
// identified by a set id — with libs/segment's metrics through onnxruntime, the graphs the tools
// run: mIoU after 1/3/5 simulated clicks, NoC@85/@90, the calibration of the one-click mask's
// predicted IoU, the mIoU of a box prompt alone (prefill), detector box AP@0.5. The candidate records
// the comparison and the gate's verdict; it is promoted when it passes the promotion gate
// (promotion-gate.ts) by the margin, otherwise it waits for an ops decision. Every step that
// reads or writes the database or the store waits out an outage of it (waitOutOutage), so a
// database restart mid-run delays the verdict instead of losing the scoring.
import { AppError, evaluateParamsSchema, type CheckpointEvaluationDto, type EvaluateParams, type EvaluatedMetricsDto } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { PermanentJobError } from '@dataengine/queue';
import { boxDetectorConfig, detectBoxes, EVAL_DETECTOR_SCORE_THRESHOLD, evaluateBundle, type BundleEvaluation } from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import { SYSTEM_ACTOR } from '../access/actor';
import { checkpointDir, promoteCheckpoint, type CheckpointRow } from '../checkpoints/checkpoint-registry';
import { nowOf, type EngineDeps } from '../engine-deps';
import { InfrastructureUnavailableError, waitOutOutage } from '../infrastructure-outage';
import { loadLiveRun, markRunRunning } from '../runs/run-control';
import { planEvaluation } from './evaluate-plan';
import { evalScenes } from './held-out-images';
import { promotionVerdict } from './promotion-gate';
import { closeRun, errorMessage, failAbandonedRuns, RunCancelledError, watchRun, type RunWatch } from './run-watch';

export interface CheckpointMetrics extends EvaluatedMetricsDto {
  noc85: number | null;
  msPerImage: number | null;
}

export const AWAITING_OPS = 'awaiting ops decision';

export async function runEvaluate(deps: EngineDeps, input: { runId: string }): Promise<void> {
  const fields = { runId: input.runId };
  const run = await waitOutOutage(deps, 'load the evaluate run', async () => {
    await failAbandonedRuns(deps);
    return loadLiveRun(deps, input.runId, 'evaluate');
  }, fields);
  if (!run) return;
  const parsed = evaluateParamsSchema.safeParse(run.params);
  if (!parsed.success) {
    await closeRun(deps, run.id, { status: 'failed', error: `invalid evaluate parameters: ${parsed.error.message}` });
    throw new PermanentJobError(`evaluate ${run.id}: invalid parameters`);
  }
  await waitOutOutage(deps, 'mark the run running', () => markRunRunning(deps, run.id), fields);
  const watch = watchRun(deps, run.id, { phase: 'preparing' });
  let result: Record<string, unknown>;
  try {
    result = await evaluate(deps, run.id, parsed.data, watch);
  } catch (error) {
    await watch.stop();
    if (watch.signal.aborted) {
      await closeRun(deps, run.id, { status: 'cancelled', error: error instanceof RunCancelledError && error !== watch.signal.reason ? error.message : null });
      return;
    }
    const message = error instanceof InfrastructureUnavailableError ? `${error.message}; start a new evaluate run once it is back` : errorMessage(error);
    await closeRun(deps, run.id, { status: 'failed', error: message });
    // The run is closed as failed, so another try of this job would find nothing to do: ops starts
    // a new evaluate run (the console says why this one failed). A worker that dies mid-run is a
    // different path — BullMQ hands the stalled job back and the run, still running, starts over.
    if (error instanceof AppError) throw new PermanentJobError(`evaluate ${run.id}: ${error.message}`);
    throw new PermanentJobError(`evaluate ${run.id} failed: ${message}`);
  }
  await watch.stop();
  // the verdict is recorded on the checkpoint already; the run says so once the database takes it
  await closeRun(deps, run.id, { status: 'succeeded', result });
}

async function evaluate(deps: EngineDeps, runId: string, params: EvaluateParams, watch: RunWatch): Promise<Record<string, unknown>> {
  const fields = { runId };
  const { candidate, baseline, set } = await waitOutOutage(deps, 'plan the evaluation', () => planEvaluation(deps, params), fields);
  const n = set.images;
  watch.update({ phase: 'candidate', images: n, masks: set.masks, setId: set.id }, { done: 0, total: 2 * n });
  const candidateMetrics = await score(deps, candidate, params.projectId, set.imageIds, watch, 0);
  watch.update({ phase: 'baseline' });
  const baselineMetrics = await score(deps, baseline, params.projectId, set.imageIds, watch, n);

  const margin = params.autoPromoteMargin;
  const verdict = promotionVerdict(candidateMetrics, baselineMetrics, margin);
  const evaluation: CheckpointEvaluationDto & Record<string, unknown> = {
    runId,
    at: nowOf(deps).toISOString(),
    projectId: params.projectId,
    set: { id: set.id, images: set.images, masks: set.masks, excludedImages: set.excludedImages },
    candidate: candidateMetrics,
    baseline: baselineMetrics,
    verdict: verdict.reason,
    gatePassed: verdict.promote,
    decision: null,
    margin,
    meanGain: verdict.meanGain,
    miou1Gain: candidateMetrics.miou1 !== null && baselineMetrics.miou1 !== null ? candidateMetrics.miou1 - baselineMetrics.miou1 : null,
    nocMaxClicks: deps.settings.EVAL_NOC_MAX_CLICKS,
  };
  await waitOutOutage(deps, 'record the evaluation on the candidate', () => recordEvaluation(deps, candidate, evaluation), fields);

  watch.signal.throwIfAborted();
  let decision: string;
  const fresh = await waitOutOutage(deps, 'read the candidate\'s status', () => deps.db.checkpoint.findUniqueOrThrow({ where: { id: candidate.id }, select: { status: true } }), fields);
  if (fresh.status !== 'candidate') {
    decision = `not promoted: the checkpoint is ${fresh.status}`;
  } else if (verdict.promote) {
    // a second try after a lost answer finds it active and leaves it so
    const reason = `evaluate run ${runId} against ${baseline.name} on ${set.id} (${set.images} images, ${set.masks} masks): ${verdict.reason}`;
    await waitOutOutage(deps, 'promote the candidate', () => promoteCheckpoint(deps, SYSTEM_ACTOR, { checkpointId: candidate.id, reason }), fields);
    decision = 'promoted';
  } else {
    decision = AWAITING_OPS;
  }
  await waitOutOutage(deps, 'record the decision on the candidate', () => recordEvaluation(deps, candidate, { ...evaluation, decision }), fields);
  return { ...evaluation, decision, images: n, masks: set.masks, imageIds: set.imageIds, autoPromoteMargin: margin };
}

async function score(deps: EngineDeps, checkpoint: CheckpointRow, projectId: string, imageIds: number[], watch: RunWatch, offset: number): Promise<CheckpointMetrics> {
  const open = await openBundle(await waitOutOutage(deps, `fetch the bundle of ${checkpoint.name}`, () => checkpointDir(deps, checkpoint), { checkpointId: checkpoint.id }));
  const detector = boxDetectorConfig(open.manifest);
  const r: BundleEvaluation = await evaluateBundle(open.predictor, evalScenes(deps, projectId, imageIds, () => watch.checkCancelled()), {
    signal: watch.signal,
    maxClicks: deps.settings.EVAL_NOC_MAX_CLICKS,
    ...(detector ? { detect: (embedding) => detectBoxes(open.backend, detector, embedding, { scoreThreshold: EVAL_DETECTOR_SCORE_THRESHOLD }) } : {}),
    onScene: (done) => watch.update({ imagesScored: offset + done }, { done: offset + done }),
  });
  return {
    checkpointId: checkpoint.id,
    name: checkpoint.name,
    miou1: finite(r.miouAt[1]),
    miou3: finite(r.miouAt[3]),
    miou5: finite(r.miouAt[5]),
    noc85: finite(r.noc85),
    noc90: finite(r.noc90),
    boxAp50: r.boxAp50,
    boxMiou1: finite(r.boxMiou ?? undefined),
    calibrationError: finite(r.calibrationError),
    calibration: r.calibration,
    images: r.images,
    objects: r.objects,
    msPerImage: finite(r.msPerImage),
  };
}

/** Keeps what the checkpoint already records (training numbers) and sets this evaluation. */
async function recordEvaluation(deps: EngineDeps, candidate: CheckpointRow, evaluation: Record<string, unknown>): Promise<void> {
  const current = await deps.db.checkpoint.findUniqueOrThrow({ where: { id: candidate.id }, select: { metrics: true } });
  const metrics = { ...((current.metrics as Record<string, unknown> | null) ?? {}), evaluation };
  await deps.db.checkpoint.update({ where: { id: candidate.id }, data: { metrics: metrics as Prisma.InputJsonValue } });
}

const finite = (v: number | null | undefined): number | null => (v !== undefined && v !== null && Number.isFinite(v) ? v : null);
