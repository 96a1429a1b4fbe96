import { AppError, type ImageDto } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { toImageDto, type ImageRow } from './image-dto';

export async function listImages(
  deps: EngineDeps,
  actor: Actor,
  input: { projectId: string; cursor?: number | null; limit: number },
): Promise<{ items: ImageDto[]; nextCursor: number | null }> {
  await requireProject(deps.db, actor, input.projectId, 'project.view');
  const rows = await deps.db.image.findMany({
    where: { projectId: input.projectId, ...(input.cursor ? { id: { gt: input.cursor } } : {}) },
    orderBy: { id: 'asc' },
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return { items: page.map(toImageDto), nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
}

/** Loads an image the actor may read; used by the tRPC procedure and the binary routes alike. */
export async function getImageForActor(deps: EngineDeps, actor: Actor, imageId: number): Promise<ImageRow & { blobKey: string }> {
  const image = await deps.db.image.findUnique({ where: { id: imageId } });
  if (!image) throw new AppError('NOT_FOUND', `image ${imageId} does not exist`);
  await requireProject(deps.db, actor, image.projectId, 'project.view');
  return image;
}

export async function getImage(deps: EngineDeps, actor: Actor, imageId: number): Promise<ImageDto> {
  return toImageDto(await getImageForActor(deps, actor, imageId));
}
