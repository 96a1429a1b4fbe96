// Editing and deleting existing masks: the facts the policy's decideMaskEdit needs (the caller's
// membership, the mask's author, whether the caller holds the mask's image), then its decision.
import { AppError, decideMaskEdit, mayInProject } from '@dataengine/contracts';
import type { Db } from '@dataengine/db';
import type { Actor } from './actor';
import { loadProjectAccess } from './project-access';

export async function requireMaskEdit(db: Db, actor: Actor, mask: { projectId: string; imageId: number; authorId: string | null }): Promise<void> {
  const { myRole } = await loadProjectAccess(db, actor, mask.projectId);
  // only a mask nobody drew depends on who holds the image; the managers' rule does not
  const needsHolder = mask.authorId === null && !mayInProject(actor, myRole, 'masks.edit-any');
  // held: leased to the caller and not taken by anyone since (an expired lease nobody took still counts)
  const imageHeldByActor = needsHolder && (await db.task.count({ where: { imageId: mask.imageId, assigneeId: actor.id, status: 'leased' } })) > 0;
  const decision = decideMaskEdit(actor, myRole, { authorId: mask.authorId, imageHeldByActor });
  if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
}
