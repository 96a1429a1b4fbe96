// Every project's retrain schedule as the ops console lists it: "retrain every N new manual masks"
// (what loop/retrain-schedule.ts counts), from the counters already loaded with the projects.
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireGlobal } from '../access/project-access';
import type { RetrainScheduleDto } from './ops-schema';

export function toRetrainScheduleDto(project: { id: string; name: string; retrainEveryMasks: number | null; retrainMaskMark: number }, manualMasks: number): RetrainScheduleDto {
  return {
    projectId: project.id,
    projectName: project.name,
    everyMasks: project.retrainEveryMasks,
    maskMark: project.retrainMaskMark,
    masksNow: manualMasks,
    masksToNext: project.retrainEveryMasks === null ? null : Math.max(0, project.retrainMaskMark + project.retrainEveryMasks - manualMasks),
  };
}

export async function listRetrainSchedules(deps: EngineDeps, actor: Actor): Promise<RetrainScheduleDto[]> {
  requireGlobal(actor, 'ops.view');
  const projects = await deps.db.project.findMany({
    where: { archivedAt: null },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, retrainEveryMasks: true, retrainMaskMark: true, stageCounters: { select: { masksManual: true } } },
  });
  return projects.map((p) => toRetrainScheduleDto(p, p.stageCounters.reduce((sum, c) => sum + c.masksManual, 0)));
}
