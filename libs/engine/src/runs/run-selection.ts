// A run's images chosen by a filter (stage, task status, no masks yet, split, a saved selection),
// resolved here to image ids when the run starts — bounded, and refused when nothing matches — and
// counted for the run forms before they start anything.
import { AppError, MAX_RUN_IMAGES, STAGE_LABELS, type ImageFilter, type SelectionCount } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import type { EngineDeps } from '../engine-deps';

/** The WHERE clause over `images i` joined with its latest task `t` (the image's stage and status). */
function filterSql(projectId: string, filter: ImageFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`i."project_id" = ${projectId}::uuid`, Prisma.sql`i."status" = 'ready'`];
  if (filter.stages) parts.push(Prisma.sql`COALESCE(t."stage", 'fully_automatic'::"stage")::text IN (${Prisma.join(filter.stages)})`);
  if (filter.taskStatuses) parts.push(Prisma.sql`t."status"::text IN (${Prisma.join(filter.taskStatuses)})`);
  if (filter.noMasks) parts.push(Prisma.sql`NOT EXISTS (SELECT 1 FROM "masks" m WHERE m."image_id" = i."id" AND m."deleted_at" IS NULL)`);
  if (filter.split) parts.push(Prisma.sql`i."split"::text = ${filter.split}`);
  // one array parameter (a list of 100,000 ids would pass PostgreSQL's 65,535 bind parameters)
  if (filter.imageIds) parts.push(Prisma.sql`i."id" = ANY(${[...new Set(filter.imageIds)]}::int[])`);
  return Prisma.join(parts, ' AND ');
}

const LATEST_TASK = Prisma.sql`LEFT JOIN LATERAL (SELECT "stage", "status" FROM "tasks" WHERE "image_id" = i."id" ORDER BY "stage" DESC LIMIT 1) t ON TRUE`;

/** The filter in words, for "nothing matches" messages. */
export function describeFilter(filter: ImageFilter): string {
  const words: string[] = [];
  if (filter.stages) words.push(`stage ${filter.stages.map((s) => STAGE_LABELS[s].toLowerCase()).join(' or ')}`);
  if (filter.taskStatuses) words.push(`status ${filter.taskStatuses.join(' or ')}`);
  if (filter.noMasks) words.push('no masks yet');
  if (filter.split) words.push(`${filter.split} split`);
  if (filter.imageIds) words.push(`${filter.imageIds.length} picked image${filter.imageIds.length === 1 ? '' : 's'}`);
  return words.length ? words.join(', ') : 'every ready image';
}

/** The ready images matching the filter, ascending; refused when none match or more than MAX_RUN_IMAGES do. */
export async function resolveImageFilter(deps: EngineDeps, projectId: string, filter: ImageFilter): Promise<number[]> {
  const rows = await deps.db.$queryRaw<{ id: number }[]>`
    SELECT i."id" FROM "images" i ${LATEST_TASK} WHERE ${filterSql(projectId, filter)} ORDER BY i."id" LIMIT ${MAX_RUN_IMAGES + 1}`;
  if (rows.length === 0) throw new AppError('BAD_REQUEST', `no ready image of the project matches the selection (${describeFilter(filter)}); change the filter`);
  if (rows.length > MAX_RUN_IMAGES) throw new AppError('BAD_REQUEST', `more than ${MAX_RUN_IMAGES} images match the selection (${describeFilter(filter)}); narrow the filter (a run takes at most ${MAX_RUN_IMAGES})`);
  return rows.map((r) => r.id);
}

/** Of these images, those not in stage 3 (their latest task is a stage-1 or stage-2 one), first few ids and the count. */
export async function earlierStageImages(deps: EngineDeps, imageIds: readonly number[]): Promise<{ count: number; sample: number[] }> {
  if (imageIds.length === 0) return { count: 0, sample: [] };
  const rows = await deps.db.$queryRaw<{ id: number }[]>`
    SELECT i."id" FROM "images" i ${LATEST_TASK}
     WHERE i."id" = ANY(${[...imageIds]}::int[]) AND t."stage" IS NOT NULL AND t."stage" <> 'fully_automatic'::"stage" ORDER BY i."id"`;
  return { count: rows.length, sample: rows.slice(0, 5).map((r) => r.id) };
}

/** For the run forms: how many images a filter selects now, and how many of them are not stage-3 images. */
export async function countImageSelection(deps: EngineDeps, actor: Actor, input: { projectId: string; selection: ImageFilter }): Promise<SelectionCount> {
  await requireProject(deps.db, actor, input.projectId, 'project.view');
  const [row] = await deps.db.$queryRaw<{ images: number; earlier: number }[]>`
    SELECT count(*)::int AS "images",
           count(*) FILTER (WHERE t."stage" IS NOT NULL AND t."stage" <> 'fully_automatic'::"stage")::int AS "earlier"
      FROM "images" i ${LATEST_TASK} WHERE ${filterSql(input.projectId, input.selection)}`;
  const images = row?.images ?? 0;
  return { images, earlierStage: row?.earlier ?? 0, overLimit: images > MAX_RUN_IMAGES };
}
