// The `evaluate` job: the candidate and the baseline (the project's active checkpoint unless
// given) scored on the same held-out images with libs/segment's metrics (mIoU after 1/3/5
// simulated clicks, NoC@85/@90, detector box AP@0.5) through onnxruntime — the graphs the tools
// run, not the training code. The candidate gets the metrics; it is promoted when it passes the
// promotion gate (promotion-gate.ts) by the margin, otherwise it waits for an ops decision.
import { AppError, evaluateParamsSchema } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { PermanentJobError } from '@dataengine/queue';
import { boxDetectorConfig, detectBoxes, EVAL_DETECTOR_SCORE_THRESHOLD, evaluateBundle, type BundleEvaluation } from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import { SYSTEM_ACTOR } from '../access/actor';
import { checkpointDir, getActiveCheckpoint, promoteCheckpoint, type CheckpointRow } from '../checkpoints/checkpoint-registry';
import { nowOf, type EngineDeps } from '../engine-deps';
import { finishRun, loadLiveRun, markRunRunning } from '../runs/run-control';
import { evalScenes, heldOutImages } from './held-out-images';
import { promotionVerdict } from './promotion-gate';
import { errorMessage, failAbandonedRuns, RunCancelledError, watchRun, type RunWatch } from './run-watch';

export interface CheckpointMetrics {
  checkpointId: string;
  name: string;
  miou1: number | null;
  miou3: number | null;
  miou5: number | null;
  noc85: number | null;
  noc90: number | null;
  boxAp50: number | null;
  images: number;
  objects: number;
  msPerImage: number | null;
}

export const AWAITING_OPS = 'awaiting ops decision';

export async function runEvaluate(deps: EngineDeps, input: { runId: string }): Promise<void> {
  await failAbandonedRuns(deps);
  const run = await loadLiveRun(deps, input.runId, 'evaluate');
  if (!run) return;
  const parsed = evaluateParamsSchema.safeParse(run.params);
  if (!parsed.success) {
    await finishRun(deps, run.id, { status: 'failed', error: `invalid evaluate parameters: ${parsed.error.message}` });
    throw new PermanentJobError(`evaluate ${run.id}: invalid parameters`);
  }
  await markRunRunning(deps, run.id);
  const watch = watchRun(deps, run.id, { phase: 'preparing' });
  try {
    const result = await evaluate(deps, run.id, parsed.data, watch);
    await watch.stop();
    await finishRun(deps, run.id, { status: 'succeeded', result });
  } catch (error) {
    await watch.stop();
    if (watch.signal.aborted) {
      await finishRun(deps, run.id, { status: 'cancelled', error: error instanceof RunCancelledError && error !== watch.signal.reason ? error.message : null });
      return;
    }
    await finishRun(deps, run.id, { status: 'failed', error: errorMessage(error) });
    if (error instanceof AppError) throw new PermanentJobError(`evaluate ${run.id}: ${error.message}`);
    throw error;
  }
}

type EvaluateParams = ReturnType<typeof evaluateParamsSchema.parse>;

async function evaluate(deps: EngineDeps, runId: string, params: EvaluateParams, watch: RunWatch): Promise<Record<string, unknown>> {
  const candidate = await deps.db.checkpoint.findUnique({ where: { id: params.candidateId } });
  if (!candidate) throw new AppError('NOT_FOUND', `candidate checkpoint ${params.candidateId} no longer exists`);
  const baseline = params.baselineId ? await deps.db.checkpoint.findUnique({ where: { id: params.baselineId } }) : await getActiveCheckpoint(deps, params.projectId);
  if (!baseline) throw new AppError(params.baselineId ? 'NOT_FOUND' : 'CONFLICT', params.baselineId ? `baseline checkpoint ${params.baselineId} does not exist` : 'no checkpoint is active to compare against; promote one first');
  if (baseline.id === candidate.id) throw new AppError('CONFLICT', `the candidate ${candidate.name} is the baseline itself; pick another baseline`);

  const held = await heldOutImages(deps, params.projectId, candidate, params.maxImages);
  if (held.imageIds.length === 0) throw new AppError('CONFLICT', `no held-out images with accepted masks (${held.source}); annotate more images or upload some as val`);
  const n = held.imageIds.length;
  watch.update({ phase: 'candidate', images: n, heldOut: held.source }, { done: 0, total: 2 * n });
  const candidateMetrics = await score(deps, candidate, params.projectId, held.imageIds, watch, 0);
  watch.update({ phase: 'baseline' });
  const baselineMetrics = await score(deps, baseline, params.projectId, held.imageIds, watch, n);

  const gain = candidateMetrics.miou1 !== null && baselineMetrics.miou1 !== null ? candidateMetrics.miou1 - baselineMetrics.miou1 : null;
  const margin = params.autoPromoteMargin;
  const verdict = promotionVerdict(candidateMetrics, baselineMetrics, margin);
  const evaluation = { runId, at: nowOf(deps).toISOString(), heldOut: held.source, images: n, nocMaxClicks: deps.settings.EVAL_NOC_MAX_CLICKS, candidate: candidateMetrics, baseline: baselineMetrics, miou1Gain: gain, meanGain: verdict.meanGain, verdict: verdict.reason };
  await recordMetrics(deps, candidate, evaluation);

  watch.signal.throwIfAborted();
  let decision: string;
  const fresh = await deps.db.checkpoint.findUniqueOrThrow({ where: { id: candidate.id }, select: { status: true } });
  if (fresh.status !== 'candidate') {
    decision = `not promoted: the checkpoint is ${fresh.status}`;
  } else if (verdict.promote) {
    await promoteCheckpoint(deps, SYSTEM_ACTOR, { checkpointId: candidate.id, reason: `evaluate run ${runId} against ${baseline.name}: ${verdict.reason}` });
    decision = 'promoted';
  } else {
    decision = AWAITING_OPS;
  }
  return { candidate: candidateMetrics, baseline: baselineMetrics, images: n, imageIds: held.imageIds, heldOut: held.source, nocMaxClicks: deps.settings.EVAL_NOC_MAX_CLICKS, miou1Gain: gain, meanGain: verdict.meanGain, verdict: verdict.reason, autoPromoteMargin: margin, decision };
}

async function score(deps: EngineDeps, checkpoint: CheckpointRow, projectId: string, imageIds: number[], watch: RunWatch, offset: number): Promise<CheckpointMetrics> {
  const open = await openBundle(await checkpointDir(deps, checkpoint));
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
    images: r.images,
    objects: r.objects,
    msPerImage: finite(r.msPerImage),
  };
}

/** Keeps what the checkpoint already records (training numbers) and adds this evaluation. */
async function recordMetrics(deps: EngineDeps, candidate: CheckpointRow, evaluation: Record<string, unknown>): Promise<void> {
  const current = await deps.db.checkpoint.findUniqueOrThrow({ where: { id: candidate.id }, select: { metrics: true } });
  const metrics = { ...((current.metrics as Record<string, unknown> | null) ?? {}), evaluation };
  await deps.db.checkpoint.update({ where: { id: candidate.id }, data: { metrics: metrics as Prisma.InputJsonValue } });
}

const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
