// What the project grid's tiles show about each image's work: its latest stage and that task's
// status, whether it is in review, and how many masks it has (by provenance). One page of ids at a time.
import { provenanceSchema, stageSchema, type ImageTileWorkDto, type Stage } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';

export async function imageTiles(deps: EngineDeps, actor: Actor, input: { projectId: string; imageIds: number[] }): Promise<ImageTileWorkDto[]> {
  await requireProject(deps.db, actor, input.projectId, 'project.view');
  const { db } = deps;
  const ids = [...new Set(input.imageIds)];
  const [images, tasks, masks, reviews] = await Promise.all([
    db.image.findMany({ where: { id: { in: ids }, projectId: input.projectId }, select: { id: true } }),
    db.task.findMany({ where: { imageId: { in: ids }, projectId: input.projectId }, select: { imageId: true, stage: true, status: true } }),
    db.mask.groupBy({ by: ['imageId', 'provenance'], where: { imageId: { in: ids }, projectId: input.projectId, deletedAt: null }, _count: { _all: true } }),
    db.review.findMany({ where: { imageId: { in: ids }, projectId: input.projectId }, orderBy: { id: 'desc' }, select: { imageId: true, status: true } }),
  ]);
  const rank = (s: Stage) => stageSchema.options.indexOf(s);
  return images.map(({ id }) => {
    const latest = tasks.filter((t) => t.imageId === id).sort((a, b) => rank(b.stage) - rank(a.stage))[0];
    const byProvenance = Object.fromEntries(provenanceSchema.options.map((p) => [p, masks.find((m) => m.imageId === id && m.provenance === p)?._count._all ?? 0])) as ImageTileWorkDto['byProvenance'];
    return {
      imageId: id,
      stage: latest?.stage ?? null,
      taskStatus: latest?.status ?? null,
      review: reviews.find((r) => r.imageId === id)?.status ?? null,
      masks: Object.values(byProvenance).reduce((a, b) => a + b, 0),
      byProvenance,
    };
  });
}
