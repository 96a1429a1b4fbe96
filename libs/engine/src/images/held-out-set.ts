// A project's held-out set as managers see and change it: how many images are val, what an
// evaluation would score on now, the share new `auto` uploads get, and moving chosen images
// between train and val. Val images are annotated like any other; they never enter training.
import { AppError, evaluateParamsSchema, type HeldOutSetDto } from '@dataengine/contracts';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import type { EngineDeps } from '../engine-deps';
import { evaluationSet } from '../loop/held-out-images';
import type { Split } from './held-out-split';

/** The evaluate default cap: the set a run with default parameters would score. */
const DEFAULT_MAX_IMAGES = evaluateParamsSchema.shape.maxImages.parse(undefined);

export async function getHeldOutSet(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<HeldOutSetDto> {
  await requireProject(deps.db, actor, input.projectId, 'project.view');
  const project = await deps.db.project.findUniqueOrThrow({ where: { id: input.projectId }, select: { valShare: true } });
  const counts = await deps.db.image.groupBy({ by: ['split'], where: { projectId: input.projectId }, _count: { _all: true } });
  const count = (split: Split) => counts.find((c) => c.split === split)?._count._all ?? 0;
  const set = await evaluationSet(deps, input.projectId, { maxImages: DEFAULT_MAX_IMAGES });
  return {
    projectId: input.projectId,
    valShare: project.valShare,
    images: { train: count('train'), val: count('val') },
    evaluationSet: { id: set.id, images: set.images, masks: set.masks, excludedImages: set.excludedImages },
    minMasks: deps.settings.EVAL_MIN_MASKS,
    maxImages: DEFAULT_MAX_IMAGES,
  };
}

/**
 * Moves images of the project to train or val (managers). An image a checkpoint already trained on
 * can be moved to val; evaluations leave it out for that checkpoint (held-out-images.ts).
 */
export async function setImageSplit(deps: EngineDeps, actor: Actor, input: { projectId: string; imageIds: number[]; split: Split }): Promise<{ updated: number; split: Split }> {
  await requireProject(deps.db, actor, input.projectId, 'project.manage');
  const ids = [...new Set(input.imageIds)];
  const found = await deps.db.image.findMany({ where: { id: { in: ids }, projectId: input.projectId }, select: { id: true } });
  if (found.length !== ids.length) {
    const have = new Set(found.map((f) => f.id));
    throw new AppError('BAD_REQUEST', `image(s) ${ids.filter((id) => !have.has(id)).slice(0, 10).join(', ')} are not in this project`);
  }
  const { count } = await deps.db.image.updateMany({ where: { id: { in: ids }, projectId: input.projectId, split: { not: input.split } }, data: { split: input.split } });
  deps.logger.info('image split changed', { projectId: input.projectId, split: input.split, images: ids.length, changed: count, actor: actor.email });
  return { updated: count, split: input.split };
}

/** The share of images that `auto` uploads and imports hold out from now on (images already in the project keep their side). */
export async function setValShare(deps: EngineDeps, actor: Actor, input: { projectId: string; valShare: number }): Promise<HeldOutSetDto> {
  await requireProject(deps.db, actor, input.projectId, 'project.manage');
  await deps.db.project.update({ where: { id: input.projectId }, data: { valShare: input.valShare } });
  return getHeldOutSet(deps, actor, { projectId: input.projectId });
}
