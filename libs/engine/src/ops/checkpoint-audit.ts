// The checkpoints' audit trail (register, promote, promote-override, roll back, reject), newest first.
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireGlobal } from '../access/project-access';
import type { CheckpointAuditDto } from './ops-schema';

/** Every checkpoint's events, or one checkpoint's history (checkpointId). */
export async function listCheckpointEvents(deps: EngineDeps, actor: Actor, input: { limit: number; checkpointId?: string }): Promise<CheckpointAuditDto[]> {
  requireGlobal(actor, 'checkpoints.manage');
  const rows = await deps.db.checkpointEvent.findMany({
    ...(input.checkpointId ? { where: { checkpointId: input.checkpointId } } : {}),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit,
    include: { checkpoint: { select: { name: true } }, actor: { select: { email: true } } },
  });
  return rows.map((e) => ({
    id: e.id.toString(),
    checkpointId: e.checkpointId,
    checkpointName: e.checkpoint.name,
    action: e.action,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    actor: e.actor?.email ?? null,
    reason: e.reason,
    createdAt: e.createdAt.toISOString(),
  }));
}
