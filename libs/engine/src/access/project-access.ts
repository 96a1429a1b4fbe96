// Role-based access. Global roles: admin (everything), ops (runs the engine, reads every project),
// manager (creates projects, manages those where they are a manager member), annotator (only the
// projects they are a member of; never runs or checkpoints).
import { AppError, type ProjectRole, type UserRole } from '@dataengine/contracts';
import type { Db } from '@dataengine/db';
import type { Actor } from './actor';

export type ProjectNeed = 'read' | 'annotate' | 'manage';

export interface ProjectAccess {
  project: { id: string; name: string; slug: string; stage: string };
  myRole: ProjectRole | null;
}

export function assertGlobalRole(actor: Actor, allowed: UserRole[], action: string): void {
  if (!allowed.includes(actor.role)) {
    throw new AppError('FORBIDDEN', `${action} needs the ${allowed.join(' or ')} role; you are ${article(actor.role)} ${actor.role}`);
  }
}

export const canReadAllProjects = (actor: Actor): boolean => actor.role === 'admin' || actor.role === 'ops';

/** Taking a project's annotations out or in (export, import, and stopping those runs): its managers, ops and admins. */
export async function requireExchangeAccess(db: Db, actor: Actor, projectId: string): Promise<void> {
  await requireProject(db, actor, projectId, canReadAllProjects(actor) ? 'read' : 'manage');
}

export async function requireProject(db: Db, actor: Actor, projectId: string, need: ProjectNeed): Promise<ProjectAccess> {
  const project = await db.project.findUnique({
    where: { id: projectId },
    select: { id: true, name: true, slug: true, stage: true, archivedAt: true, members: { where: { userId: actor.id }, select: { role: true } } },
  });
  if (!project || project.archivedAt) throw new AppError('NOT_FOUND', `project ${projectId} does not exist`);
  const myRole = project.members[0]?.role ?? null;
  const allowed =
    actor.role === 'admin' ||
    (need === 'read' && (myRole !== null || canReadAllProjects(actor))) ||
    (need === 'annotate' && myRole !== null) ||
    (need === 'manage' && myRole === 'manager');
  if (!allowed) {
    const what = need === 'manage' ? 'manage' : need === 'annotate' ? 'annotate in' : 'see';
    const why = myRole === null ? 'you are not a member of it' : `your role in it is ${myRole}`;
    throw new AppError('FORBIDDEN', `you may not ${what} project "${project.name}": ${why}`);
  }
  return { project: { id: project.id, name: project.name, slug: project.slug, stage: project.stage }, myRole };
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
