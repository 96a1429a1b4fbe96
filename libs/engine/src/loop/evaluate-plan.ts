// What an evaluate run compares, decided before any run or job exists: the candidate, the
// checkpoint it would replace (the active one in the candidate's scope, unless a baseline is given)
// and the held-out set both are scored on. A set too small to decide anything refuses the run here,
// with what to do; the job plans again (masks may have changed while it waited).
import { AppError, type EvaluateParams } from '@dataengine/contracts';
import { getActiveCheckpoint, type CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { assertEnoughHeldOut, evaluationSet, type EvaluationSet } from './held-out-images';

export interface EvaluatePlan {
  candidate: CheckpointRow;
  baseline: CheckpointRow;
  set: EvaluationSet;
}

export async function planEvaluation(deps: EngineDeps, params: EvaluateParams): Promise<EvaluatePlan> {
  const candidate = await deps.db.checkpoint.findUnique({ where: { id: params.candidateId } });
  if (!candidate) throw new AppError('NOT_FOUND', `candidate checkpoint ${params.candidateId} does not exist`);
  const baseline = params.baselineId ? await deps.db.checkpoint.findUnique({ where: { id: params.baselineId } }) : await getActiveCheckpoint(deps, candidate.projectId);
  if (!baseline) {
    throw params.baselineId
      ? new AppError('NOT_FOUND', `baseline checkpoint ${params.baselineId} does not exist`)
      : new AppError('CONFLICT', 'no checkpoint is active in the candidate\'s scope to compare against; promote one first');
  }
  if (baseline.id === candidate.id) throw new AppError('CONFLICT', `the candidate ${candidate.name} is the baseline itself; pick another baseline`);
  const set = await evaluationSet(deps, params.projectId, { maxImages: params.maxImages, trainedOn: [candidate, baseline] });
  assertEnoughHeldOut(set, deps.settings.EVAL_MIN_MASKS);
  return { candidate, baseline, set };
}
