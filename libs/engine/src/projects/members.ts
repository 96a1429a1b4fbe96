import { AppError, type MemberDto, type ProjectRole } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';

export async function listMembers(deps: EngineDeps, actor: Actor, projectId: string): Promise<MemberDto[]> {
  await requireProject(deps.db, actor, projectId, 'members.view');
  const rows = await deps.db.projectMember.findMany({
    where: { projectId },
    include: { user: { select: { id: true, email: true, name: true, role: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((m) => ({ user: m.user, role: m.role, since: m.createdAt.toISOString() }));
}

export async function addMember(
  deps: EngineDeps,
  actor: Actor,
  input: { projectId: string; email: string; role: ProjectRole },
): Promise<MemberDto> {
  await requireProject(deps.db, actor, input.projectId, 'members.manage');
  const email = input.email.trim().toLowerCase();
  const user = await deps.db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true } });
  if (!user) throw new AppError('NOT_FOUND', `no user has the e-mail ${email}; ask an admin to create the account first`);
  const row = await deps.db.projectMember.upsert({
    where: { projectId_userId: { projectId: input.projectId, userId: user.id } },
    create: { projectId: input.projectId, userId: user.id, role: input.role },
    update: { role: input.role },
  });
  return { user, role: row.role, since: row.createdAt.toISOString() };
}

export async function removeMember(deps: EngineDeps, actor: Actor, input: { projectId: string; userId: string }): Promise<void> {
  await requireProject(deps.db, actor, input.projectId, 'members.manage');
  const managers = await deps.db.projectMember.count({ where: { projectId: input.projectId, role: 'manager' } });
  const target = await deps.db.projectMember.findUnique({ where: { projectId_userId: { projectId: input.projectId, userId: input.userId } } });
  if (!target) throw new AppError('NOT_FOUND', 'that user is not a member of the project');
  if (target.role === 'manager' && managers <= 1) {
    throw new AppError('CONFLICT', 'a project keeps at least one manager; make someone else manager first');
  }
  await deps.db.projectMember.delete({ where: { projectId_userId: { projectId: input.projectId, userId: input.userId } } });
}
