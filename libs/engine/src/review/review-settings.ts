// A project's review and time settings: the QA sample rate, whether stage-2/3 work and autogen
// output are reviewed in full, and the idle-gap cap of active time. Everyone who may see the
// project reads them (the annotator tool counts time with the cap); its managers change them.
import { setReviewSettingsInputSchema, type ReviewSettingsDto } from '@dataengine/contracts';
import type { z } from 'zod';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';

const settingsSelect = { id: true, reviewSampleRate: true, reviewLaterStages: true, idleCapSeconds: true } as const;

function toSettingsDto(deps: EngineDeps, row: { id: string; reviewSampleRate: number; reviewLaterStages: boolean; idleCapSeconds: number | null }): ReviewSettingsDto {
  const fallback = deps.settings.IDLE_GAP_CAP_SECONDS;
  return {
    projectId: row.id,
    reviewSampleRate: row.reviewSampleRate,
    reviewLaterStages: row.reviewLaterStages,
    idleCapSeconds: row.idleCapSeconds,
    idleCapDefaultSeconds: fallback,
    effectiveIdleCapSeconds: row.idleCapSeconds ?? fallback,
  };
}

/** The cap an idle gap counts with in this project (its own, else IDLE_GAP_CAP_SECONDS). */
export async function idleCapSecondsOf(deps: EngineDeps, projectId: string): Promise<number> {
  const row = await deps.db.project.findUnique({ where: { id: projectId }, select: { idleCapSeconds: true } });
  return row?.idleCapSeconds ?? deps.settings.IDLE_GAP_CAP_SECONDS;
}

export async function getReviewSettings(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<ReviewSettingsDto> {
  await requireProject(deps.db, actor, input.projectId, 'project.view');
  return toSettingsDto(deps, await deps.db.project.findUniqueOrThrow({ where: { id: input.projectId }, select: settingsSelect }));
}

export async function setReviewSettings(deps: EngineDeps, actor: Actor, raw: z.input<typeof setReviewSettingsInputSchema>): Promise<ReviewSettingsDto> {
  const input = setReviewSettingsInputSchema.parse(raw);
  await requireProject(deps.db, actor, input.projectId, 'project.manage');
  const row = await deps.db.project.update({
    where: { id: input.projectId },
    data: {
      ...(input.reviewSampleRate !== undefined ? { reviewSampleRate: input.reviewSampleRate } : {}),
      ...(input.reviewLaterStages !== undefined ? { reviewLaterStages: input.reviewLaterStages } : {}),
      ...(input.idleCapSeconds !== undefined ? { idleCapSeconds: input.idleCapSeconds } : {}),
    },
    select: settingsSelect,
  });
  return toSettingsDto(deps, row);
}
