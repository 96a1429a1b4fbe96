import { AppError, mayGlobal, type ProjectDto, type ProjectRole, type Stage } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireGlobal, requireProject } from '../access/project-access';

const projectSelect = {
  id: true,
  name: true,
  slug: true,
  description: true,
  stage: true,
  createdAt: true,
  stageCounters: { select: { imagesTotal: true } },
} as const;

type ProjectRow = Prisma.ProjectGetPayload<{ select: typeof projectSelect }>;

function toProjectDto(row: ProjectRow, myRole: ProjectRole | null): ProjectDto {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    stage: row.stage,
    createdAt: row.createdAt.toISOString(),
    myRole,
    // images enter the first stage at upload; the counter table spares a count(*) over images
    imageCount: row.stageCounters.reduce((sum, c) => Math.max(sum, c.imagesTotal), 0),
  };
}

export async function listProjects(deps: EngineDeps, actor: Actor): Promise<ProjectDto[]> {
  const all = mayGlobal(actor, 'projects.view-all');
  const rows = await deps.db.project.findMany({
    where: { archivedAt: null, ...(all ? {} : { members: { some: { userId: actor.id } } }) },
    select: { ...projectSelect, members: { where: { userId: actor.id }, select: { role: true } } },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
  return rows.map((row) => toProjectDto(row, row.members[0]?.role ?? null));
}

export async function getProject(deps: EngineDeps, actor: Actor, projectId: string): Promise<ProjectDto> {
  const { myRole } = await requireProject(deps.db, actor, projectId, 'project.view');
  const row = await deps.db.project.findUniqueOrThrow({ where: { id: projectId }, select: projectSelect });
  return toProjectDto(row, myRole);
}

const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'project';

export async function createProject(
  deps: EngineDeps,
  actor: Actor,
  input: { name: string; description?: string; slug?: string },
): Promise<ProjectDto> {
  requireGlobal(actor, 'projects.create');
  const slug = input.slug ?? slugify(input.name);
  try {
    const row = await deps.db.project.create({
      data: {
        name: input.name.trim(),
        slug,
        description: input.description ?? '',
        createdById: actor.id,
        members: { create: { userId: actor.id, role: 'manager' } },
        stageCounters: { create: { stage: 'assisted_manual' } },
      },
      select: projectSelect,
    });
    return toProjectDto(row, 'manager');
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('CONFLICT', `a project with the short name "${slug}" already exists; choose another name`);
    }
    throw error;
  }
}

export async function setProjectStage(deps: EngineDeps, actor: Actor, input: { projectId: string; stage: Stage }): Promise<ProjectDto> {
  const { myRole } = await requireProject(deps.db, actor, input.projectId, 'project.manage');
  const row = await deps.db.$transaction(async (tx) => {
    await tx.stageCounter.upsert({
      where: { projectId_stage: { projectId: input.projectId, stage: input.stage } },
      create: { projectId: input.projectId, stage: input.stage },
      update: {},
    });
    return tx.project.update({ where: { id: input.projectId }, data: { stage: input.stage }, select: projectSelect });
  });
  return toProjectDto(row, myRole);
}
