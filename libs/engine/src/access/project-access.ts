// The engine's side of the access policy (@dataengine/contracts policy.ts): it loads the facts the
// policy needs (the project, the caller's membership) and turns a refusal into a FORBIDDEN error.
// The rules themselves live only in the policy.
import { AppError, decideCheckpointUse, decideGlobal, decideInProject, mayInProject, type GlobalAction, type Membership, type ProjectAction } from '@dataengine/contracts';
import type { Db } from '@dataengine/db';
import type { Actor } from './actor';

export interface ProjectAccess {
  project: { id: string; name: string; slug: string; stage: string };
  myRole: Membership;
}

/** Throws FORBIDDEN (with the policy's reason) unless the actor's global role allows the action. */
export function requireGlobal(actor: Actor, action: GlobalAction): void {
  const decision = decideGlobal(actor, action);
  if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
}

/** The project (not archived) and the actor's role in it, with no decision taken. */
export async function loadProjectAccess(db: Db, actor: Pick<Actor, 'id'>, projectId: string): Promise<ProjectAccess> {
  const project = await db.project.findUnique({
    where: { id: projectId },
    select: { id: true, name: true, slug: true, stage: true, archivedAt: true, members: { where: { userId: actor.id }, select: { role: true } } },
  });
  if (!project || project.archivedAt) throw new AppError('NOT_FOUND', `project ${projectId} does not exist`);
  return { project: { id: project.id, name: project.name, slug: project.slug, stage: project.stage }, myRole: project.members[0]?.role ?? null };
}

/** Loads the project and throws FORBIDDEN unless the policy lets the actor do `action` in it. */
export async function requireProject(db: Db, actor: Actor, projectId: string, action: ProjectAction): Promise<ProjectAccess> {
  const access = await loadProjectAccess(db, actor, projectId);
  const decision = decideInProject(actor, access.myRole, action);
  if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
  return access;
}

/** The actor's role in a project (null: not a member), without loading the project. */
export async function membershipOf(db: Db, actor: Pick<Actor, 'id'>, projectId: string): Promise<Membership> {
  const row = await db.projectMember.findUnique({ where: { projectId_userId: { projectId, userId: actor.id } }, select: { role: true } });
  return row?.role ?? null;
}

/**
 * Whether the actor may use a checkpoint — download its files, hear of its activation: a global
 * one everyone signed in, a project's own those who may see that project.
 */
export async function decideCheckpointUseFor(db: Db, actor: Actor, checkpoint: { projectId: string | null }) {
  return decideCheckpointUse(actor, checkpoint, checkpoint.projectId === null ? null : await membershipOf(db, actor, checkpoint.projectId));
}

/** Whether the actor may see the project (a missing or archived project: false). */
export async function mayViewProject(db: Db, actor: Actor, projectId: string): Promise<boolean> {
  try {
    return mayInProject(actor, (await loadProjectAccess(db, actor, projectId)).myRole, 'project.view');
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}
