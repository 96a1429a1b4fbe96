// The pre-aggregated counters dashboards read (ARCHITECTURE.md "Scale, on paper first"). Called in
// the transaction that changes the masks, so they always equal what a count over masks would say.
import type { Stage } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';

const PROVENANCE_COLUMN = { manual: 'masksManual', prefill: 'masksPrefill', auto: 'masksAuto' } as const;

export interface MaskCounterKey {
  projectId: string;
  stage: Stage;
  provenance: keyof typeof PROVENANCE_COLUMN;
  /** null: do not touch the per-annotator table (e.g. automatic masks) */
  authorId: string | null;
  checkpointId: string | null;
  day: Date;
}

export async function recordMaskCounters(
  tx: Prisma.TransactionClient,
  key: MaskCounterKey,
  delta: { masks: number; activeMs: number; clicks: number },
): Promise<void> {
  const column = PROVENANCE_COLUMN[key.provenance];
  await tx.stageCounter.upsert({
    where: { projectId_stage: { projectId: key.projectId, stage: key.stage } },
    create: { projectId: key.projectId, stage: key.stage, [column]: Math.max(0, delta.masks), activeMsTotal: delta.activeMs, clicksTotal: delta.clicks },
    update: { [column]: { increment: delta.masks }, activeMsTotal: { increment: delta.activeMs }, clicksTotal: { increment: delta.clicks } },
  });
  if (key.authorId === null || key.provenance === 'auto') return;
  const day = new Date(Date.UTC(key.day.getUTCFullYear(), key.day.getUTCMonth(), key.day.getUTCDate()));
  const id = { projectId: key.projectId, stage: key.stage, authorId: key.authorId, checkpointKey: key.checkpointId ?? '', day };
  await tx.annotatorDailyCounter.upsert({
    where: { projectId_stage_authorId_checkpointKey_day: id },
    create: { ...id, masks: Math.max(0, delta.masks), activeMs: delta.activeMs, clicks: delta.clicks },
    update: { masks: { increment: delta.masks }, activeMs: { increment: delta.activeMs }, clicks: { increment: delta.clicks } },
  });
}
