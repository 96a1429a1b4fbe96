// After a promotion the tools need the new encoder's embeddings: images annotators hold now come
// first, then images waiting in the task queues, then the rest of the projects' ready images. A
// checkpoint that runs an encoder seen before (a fast retrain's candidate keeps its parent's) takes
// the stored embeddings over first; only images that have none are queued.
import type { CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { EMBED_PRIORITY } from '../embeddings/embed-priority';
import { shareEmbeddings } from '../embeddings/shared-embeddings';

const PAGE = 1_000;
/** Enqueues in flight at once (one Redis connection pipelines them). */
const PARALLEL = 100;

export interface PromotionEmbeddings {
  /** embeddings taken over from checkpoints with the same encoder (no encoder run) */
  shared: number;
  leased: number;
  open: number;
  backfill: number;
}

/** Queues embed jobs for a newly active checkpoint. Idempotent (embed jobs dedup per image and checkpoint). */
export async function queuePromotionEmbeddings(deps: EngineDeps, checkpoint: Pick<CheckpointRow, 'id' | 'projectId' | 'bundleKey' | 'encoderHash'>): Promise<PromotionEmbeddings> {
  // a global checkpoint serves every project that has no active checkpoint of its own
  const projectIds = checkpoint.projectId
    ? [checkpoint.projectId]
    : (await deps.db.project.findMany({ where: { archivedAt: null, checkpoints: { none: { status: 'active' } } }, select: { id: true } })).map((p) => p.id);
  const queued = new Set<number>();
  const counts: PromotionEmbeddings = { shared: await shareEmbeddings(deps, checkpoint), leased: 0, open: 0, backfill: 0 };
  const enqueue = async (imageIds: number[], priority: number): Promise<number> => {
    const unseen = imageIds.filter((id) => !queued.has(id));
    const have = new Set(
      unseen.length === 0 ? [] : (await deps.db.embedding.findMany({ where: { checkpointId: checkpoint.id, imageId: { in: unseen } }, select: { imageId: true } })).map((e) => e.imageId),
    );
    const fresh = unseen.filter((id) => !have.has(id));
    for (const id of fresh) queued.add(id);
    for (let i = 0; i < fresh.length; i += PARALLEL) {
      await Promise.all(fresh.slice(i, i + PARALLEL).map((imageId) => deps.jobs.enqueue('embed', { imageId, checkpointId: checkpoint.id }, { priority })));
    }
    return fresh.length;
  };
  for (const projectId of projectIds) {
    const leased = await deps.db.task.findMany({ where: { projectId, status: 'leased' }, select: { imageId: true }, orderBy: { leaseExpiresAt: 'desc' } });
    counts.leased += await enqueue(leased.map((t) => t.imageId), EMBED_PRIORITY.waiting);
    for (let cursor = 0n; ; ) {
      const open = await deps.db.task.findMany({ where: { projectId, status: 'open', id: { gt: cursor } }, select: { id: true, imageId: true }, orderBy: { id: 'asc' }, take: PAGE });
      if (open.length === 0) break;
      counts.open += await enqueue(open.map((t) => t.imageId), EMBED_PRIORITY.upcoming);
      cursor = open[open.length - 1]!.id;
    }
  }
  for (const projectId of projectIds) {
    for (let cursor = 0; ; ) {
      const rest = await deps.db.image.findMany({
        where: { projectId, status: 'ready', id: { gt: cursor }, embeddings: { none: { checkpointId: checkpoint.id } } },
        select: { id: true },
        orderBy: { id: 'asc' },
        take: PAGE,
      });
      if (rest.length === 0) break;
      counts.backfill += await enqueue(rest.map((r) => r.id), EMBED_PRIORITY.backfill);
      cursor = rest[rest.length - 1]!.id;
    }
  }
  return counts;
}
