// Scheduled retraining: a project retrains every N new manual masks. `retrainMaskMark` is the
// manual mask count when the last retrain (scheduled or started by ops) started; when the count
// passes mark + N and no retrain of the project is queued or running, a retrain run starts (as
// the system) and the mark moves to the current count. Scheduled retrains are fast, except every
// Kth when the schedule says so (`retrainFullEvery`): a full one also adapts the image encoder.
import { AppError, retrainModeAt, retrainParamsSchema } from '@dataengine/contracts';
import { SYSTEM_ACTOR, type Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { getActiveCheckpoint } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import type { RetrainScheduleDto } from '../ops/ops-schema';
import { SCHEDULE_COLUMNS, toRetrainScheduleDto, type ScheduleColumns } from '../ops/retrain-schedules';
import { startSingleJobRun } from '../runs/run-control';
import { failAbandonedRuns } from './run-watch';

export const MAX_RETRAIN_EVERY_MASKS = 10_000_000;

/** Non-deleted manual masks (what the schedule counts), from the pre-aggregated counters (no scan of masks). */
export async function manualMaskCount(deps: EngineDeps, projectId: string): Promise<number> {
  const sum = await deps.db.stageCounter.aggregate({ where: { projectId }, _sum: { masksManual: true } });
  return sum._sum.masksManual ?? 0;
}

/** The ops console's view of a schedule (counts are manual masks: what the schedule counts). */
async function toScheduleDto(deps: EngineDeps, project: ScheduleColumns): Promise<RetrainScheduleDto> {
  return toRetrainScheduleDto(project, await manualMaskCount(deps, project.id));
}

export const MAX_RETRAIN_FULL_EVERY = 1000;

/**
 * Ops sets (or, with null, turns off) the schedule. The mark is left as it is, so masks added
 * since the last scheduled retrain count: if they already reach N, the next saved mask starts one.
 * `fullEvery` (omitted: unchanged; null: never) makes every Kth scheduled retrain a full one.
 */
export async function setRetrainSchedule(deps: EngineDeps, actor: Actor, input: { projectId: string; everyMasks: number | null; fullEvery?: number | null }): Promise<RetrainScheduleDto> {
  await requireProject(deps.db, actor, input.projectId, 'retrain.schedule');
  const { everyMasks, fullEvery } = input;
  if (everyMasks !== null && !(Number.isInteger(everyMasks) && everyMasks >= 1 && everyMasks <= MAX_RETRAIN_EVERY_MASKS)) {
    throw new AppError('BAD_REQUEST', `everyMasks must be a whole number from 1 to ${MAX_RETRAIN_EVERY_MASKS} (or null to turn scheduled retraining off), got ${everyMasks}`);
  }
  if (fullEvery !== undefined && fullEvery !== null && !(Number.isInteger(fullEvery) && fullEvery >= 1 && fullEvery <= MAX_RETRAIN_FULL_EVERY)) {
    throw new AppError('BAD_REQUEST', `fullEvery must be a whole number from 1 (every scheduled retrain full) to ${MAX_RETRAIN_FULL_EVERY}, or null for fast retrains only; got ${fullEvery}`);
  }
  const project = await deps.db.project.update({
    where: { id: input.projectId },
    data: { retrainEveryMasks: everyMasks, ...(fullEvery !== undefined ? { retrainFullEvery: fullEvery } : {}) },
    select: SCHEDULE_COLUMNS,
  });
  deps.logger.info('retrain schedule set', { projectId: input.projectId, everyMasks, fullEvery: project.retrainFullEvery, by: actor.email });
  return toScheduleDto(deps, project);
}

/**
 * Called after a manual mask is saved: starts the project's scheduled retrain when it is due.
 * Returns the new run's id, or null. Two savers racing past the mark start one run (the mark is
 * moved with a compare-and-set).
 */
export async function checkRetrainSchedule(deps: EngineDeps, projectId: string): Promise<string | null> {
  const project = await deps.db.project.findUnique({ where: { id: projectId }, select: { retrainEveryMasks: true, retrainMaskMark: true, retrainFullEvery: true, retrainScheduledCount: true } });
  if (!project?.retrainEveryMasks) return null;
  const count = await manualMaskCount(deps, projectId);
  if (count < project.retrainMaskMark + project.retrainEveryMasks) return null;
  await failAbandonedRuns(deps, projectId);
  const busy = await deps.db.run.count({ where: { projectId, kind: 'retrain', status: { in: ['queued', 'running'] } } });
  if (busy > 0) return null; // due again at the first mask saved after it finishes
  const active = await getActiveCheckpoint(deps, projectId);
  if (!active) {
    deps.logger.warn('scheduled retrain is due but no checkpoint is active to fine-tune', { projectId });
    return null;
  }
  const claimed = await deps.db.project.updateMany({
    where: { id: projectId, retrainMaskMark: project.retrainMaskMark, retrainScheduledCount: project.retrainScheduledCount },
    data: { retrainMaskMark: count, retrainScheduledCount: project.retrainScheduledCount + 1 },
  });
  if (claimed.count === 0) return null;
  const nth = project.retrainScheduledCount + 1;
  const params = retrainParamsSchema.parse({ projectId, mode: retrainModeAt(nth, project.retrainFullEvery) });
  const run = await startSingleJobRun(deps, SYSTEM_ACTOR, { kind: 'retrain', projectId, params, checkpointId: active.id, total: params.steps });
  deps.logger.info('scheduled retrain started', { projectId, runId: run.id, manualMasks: count, everyMasks: project.retrainEveryMasks, nth, mode: params.mode });
  return run.id;
}

/** A retrain (scheduled or started by ops) began: the schedule counts new masks from here. */
export async function markRetrainStarted(deps: EngineDeps, projectId: string): Promise<void> {
  const count = await manualMaskCount(deps, projectId);
  await deps.db.project.updateMany({ where: { id: projectId, retrainMaskMark: { lt: count } }, data: { retrainMaskMark: count } });
}

/** The mask-saving path's hook: a schedule problem is logged, never fails the save. */
export async function checkRetrainScheduleAfterSave(deps: EngineDeps, projectId: string): Promise<void> {
  await checkRetrainSchedule(deps, projectId).catch((error: unknown) => deps.logger.warn('scheduled retrain check failed; it is checked again at the next saved mask', { projectId, error }));
}
