// When each project whose dashboard the caller may open last saw work (a mask saved, changed or
// made by a run, an image submitted, a review decided): the dashboard opens on the most recent one
// unless the browser remembers the project the user looked at last. Read from the stage counters'
// update time (moved in every such transaction) and the reviews, never from the masks.
import { mayInProject } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { listProjects } from '../projects/projects';

export interface ProjectActivity {
  projectId: string;
  lastActivityAt: string;
}

/** Newest first. */
export async function listProjectActivity(deps: EngineDeps, actor: Actor): Promise<ProjectActivity[]> {
  const projects = (await listProjects(deps, actor)).filter((p) => mayInProject(actor, p.myRole, 'stats.view'));
  const ids = projects.map((p) => p.id);
  if (ids.length === 0) return [];
  const [counters, reviews] = await Promise.all([
    deps.db.stageCounter.groupBy({ by: ['projectId'], where: { projectId: { in: ids } }, _max: { updatedAt: true } }),
    deps.db.review.groupBy({ by: ['projectId'], where: { projectId: { in: ids } }, _max: { decidedAt: true } }),
  ]);
  const latest = (projectId: string, createdAt: string) =>
    Math.max(Date.parse(createdAt), counters.find((c) => c.projectId === projectId)?._max.updatedAt?.getTime() ?? 0, reviews.find((r) => r.projectId === projectId)?._max.decidedAt?.getTime() ?? 0);
  return projects
    .map((p) => ({ projectId: p.id, at: latest(p.id, p.createdAt) }))
    .sort((a, b) => b.at - a.at)
    .map(({ projectId, at }) => ({ projectId, lastActivityAt: new Date(at).toISOString() }));
}
