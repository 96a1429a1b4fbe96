// Every project's retrain schedule as the ops console lists it: "retrain every N new manual masks,
// every Kth of them in full mode" (what loop/retrain-schedule.ts counts), from the counters already
// loaded with the projects.
import { retrainModeAt } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireGlobal } from '../access/project-access';
import type { RetrainScheduleDto } from './ops-schema';

/** The project columns a schedule is made of. */
export const SCHEDULE_COLUMNS = { id: true, name: true, retrainEveryMasks: true, retrainMaskMark: true, retrainFullEvery: true, retrainScheduledCount: true } as const;

export interface ScheduleColumns {
  id: string;
  name: string;
  retrainEveryMasks: number | null;
  retrainMaskMark: number;
  retrainFullEvery: number | null;
  retrainScheduledCount: number;
}

export function toRetrainScheduleDto(project: ScheduleColumns, manualMasks: number): RetrainScheduleDto {
  const on = project.retrainEveryMasks !== null;
  return {
    projectId: project.id,
    projectName: project.name,
    everyMasks: project.retrainEveryMasks,
    maskMark: project.retrainMaskMark,
    masksNow: manualMasks,
    masksToNext: on ? Math.max(0, project.retrainMaskMark + project.retrainEveryMasks! - manualMasks) : null,
    fullEvery: project.retrainFullEvery,
    scheduledRetrains: project.retrainScheduledCount,
    nextMode: on ? retrainModeAt(project.retrainScheduledCount + 1, project.retrainFullEvery) : null,
  };
}

export async function listRetrainSchedules(deps: EngineDeps, actor: Actor): Promise<RetrainScheduleDto[]> {
  requireGlobal(actor, 'ops.view');
  const projects = await deps.db.project.findMany({
    where: { archivedAt: null },
    orderBy: { createdAt: 'asc' },
    select: { ...SCHEDULE_COLUMNS, stageCounters: { select: { masksManual: true } } },
  });
  return projects.map((p) => toRetrainScheduleDto(p, p.stageCounters.reduce((sum, c) => sum + c.masksManual, 0)));
}
