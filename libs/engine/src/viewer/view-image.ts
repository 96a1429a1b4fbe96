// The image viewer: one image with every live mask and where it came from (manual, pre-filled,
// automatic, imported), its label, scores, author and time; the image's tasks and reviews; and its
// neighbours in the project grid's order. For everyone who may see the project.
import { stageSchema, VIEWER_MAX_MASKS, type ImageViewDto, type MaskOrigin, type Stage } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { getImageForActor } from '../images/list-images';
import { toImageDto } from '../images/image-dto';
import { MASK_DTO_INCLUDE, toMaskDto } from '../masks/masks';
import { reviewInclude, toReviewDto } from '../review/review-queue';

const viewerMaskInclude = {
  ...MASK_DTO_INCLUDE,
  author: { select: { name: true } },
  checkpoint: { select: { name: true } },
  run: { select: { kind: true } },
} as const;

/** The run that stored a mask tells an import from work done in this installation. */
const originOf = (provenance: 'manual' | 'prefill' | 'auto', runKind: string | undefined): MaskOrigin => (runKind === 'import' ? 'imported' : provenance);

const REVIEWS_SHOWN = 20;

export async function viewImage(deps: EngineDeps, actor: Actor, input: { imageId: number }): Promise<ImageViewDto> {
  const image = await getImageForActor(deps, actor, input.imageId);
  const { db } = deps;
  const [project, masks, liveMasks, tasks, reviews, prev, next, position, total] = await Promise.all([
    db.project.findUniqueOrThrow({ where: { id: image.projectId }, select: { id: true, name: true, stage: true } }),
    db.mask.findMany({ where: { imageId: image.id, deletedAt: null }, orderBy: { id: 'asc' }, take: VIEWER_MAX_MASKS, include: viewerMaskInclude }),
    db.mask.count({ where: { imageId: image.id, deletedAt: null } }),
    db.task.findMany({ where: { imageId: image.id }, include: { assignee: { select: { name: true } }, reservedFor: { select: { name: true } } } }),
    db.review.findMany({ where: { imageId: image.id }, orderBy: { id: 'desc' }, take: REVIEWS_SHOWN, include: reviewInclude }),
    db.image.findFirst({ where: { projectId: image.projectId, id: { lt: image.id } }, orderBy: { id: 'desc' }, select: { id: true } }),
    db.image.findFirst({ where: { projectId: image.projectId, id: { gt: image.id } }, orderBy: { id: 'asc' }, select: { id: true } }),
    db.image.count({ where: { projectId: image.projectId, id: { lte: image.id } } }),
    db.image.count({ where: { projectId: image.projectId } }),
  ]);
  const stageRank = (s: Stage) => stageSchema.options.indexOf(s);
  return {
    image: toImageDto(image),
    project: { id: project.id, name: project.name, stage: project.stage },
    masks: masks.map((m) => ({
      ...toMaskDto(m),
      origin: originOf(m.provenance, m.run?.kind),
      authorName: m.author?.name ?? null,
      checkpointName: m.checkpoint?.name ?? null,
      reviewVerdict: m.reviewVerdict,
    })),
    masksOmitted: Math.max(0, liveMasks - masks.length),
    tasks: tasks
      .sort((a, b) => stageRank(a.stage) - stageRank(b.stage))
      .map((t) => ({
        stage: t.stage,
        status: t.status,
        annotator: t.assignee?.name ?? null,
        submittedAt: t.submittedAt?.toISOString() ?? null,
        activeMs: t.activeMs,
        returnedTo: t.reservedFor?.name ?? null,
      })),
    reviews: reviews.map(toReviewDto),
    prevImageId: prev?.id ?? null,
    nextImageId: next?.id ?? null,
    position,
    total,
  };
}
