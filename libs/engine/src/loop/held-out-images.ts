// The held-out images an evaluation scores both checkpoints on, and their ground truth as
// libs/segment's EvalScene (image pixels + the accepted masks, decoded).
import sharp from 'sharp';
import { decodeRle, type EvalScene } from '@dataengine/segment';
import type { CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { datasetMaskWhere, splitByImage } from '../exchange/sa1b-dataset';

export interface HeldOutImages {
  imageIds: number[];
  /** Where the split came from, for the result. */
  source: string;
}

/** Seed and share of the fallback split for a candidate trained elsewhere (the retrain defaults). */
const FALLBACK_SPLIT = { seed: 0, valFraction: 0.1 };

/**
 * The candidate's own val split when it came from a retrain here (the images it never trained
 * on); otherwise the project's images uploaded as `val`, or the default seeded split. Only ready
 * images that have accepted masks count; the first `maxImages` by id are used.
 */
export async function heldOutImages(deps: EngineDeps, projectId: string, candidate: CheckpointRow, maxImages: number): Promise<HeldOutImages> {
  const masked = await deps.db.image.findMany({
    where: { projectId, status: 'ready', masks: { some: datasetMaskWhere(projectId) } },
    select: { id: true, split: true },
    orderBy: { id: 'asc' },
  });
  let val: Set<number>;
  let source: string;
  const snapshotVal = candidate.snapshotKey ? await readSnapshotVal(deps, candidate.snapshotKey) : null;
  if (snapshotVal) {
    val = snapshotVal;
    source = `val split of the candidate's snapshot ${candidate.snapshotKey}`;
  } else if (masked.some((im) => im.split === 'val')) {
    val = new Set(masked.filter((im) => im.split === 'val').map((im) => im.id));
    source = 'images uploaded as val';
  } else {
    val = new Set(splitByImage(masked, FALLBACK_SPLIT.seed, FALLBACK_SPLIT.valFraction).val);
    source = `seeded split (seed ${FALLBACK_SPLIT.seed}, ${FALLBACK_SPLIT.valFraction} held out)`;
  }
  return { imageIds: masked.filter((im) => val.has(im.id)).slice(0, maxImages).map((im) => im.id), source };
}

async function readSnapshotVal(deps: EngineDeps, snapshotKey: string): Promise<Set<number> | null> {
  try {
    const split = JSON.parse((await deps.blobs.get(`${snapshotKey}/split.json`)).toString('utf8')) as { val?: unknown };
    return Array.isArray(split.val) ? new Set(split.val.filter((v): v is number => typeof v === 'number')) : null;
  } catch (error) {
    deps.logger.warn('the candidate snapshot split is unreadable; using the project split', { snapshotKey, error });
    return null;
  }
}

/** One image at a time (decoded pixels + masks), so memory stays flat over many images. */
export async function* evalScenes(deps: EngineDeps, projectId: string, imageIds: readonly number[], beforeEach?: () => Promise<void>): AsyncGenerator<EvalScene> {
  for (const id of imageIds) {
    await beforeEach?.();
    const image = await deps.db.image.findUniqueOrThrow({ where: { id }, select: { id: true, blobKey: true } });
    const masks = await deps.db.mask.findMany({ where: { ...datasetMaskWhere(projectId), imageId: id }, select: { rleCounts: true, rleHeight: true, rleWidth: true }, orderBy: { id: 'asc' } });
    // the pixels annotators and the encoder see (embed-image.ts)
    const { data, info } = await sharp(await deps.blobs.get(image.blobKey), { limitInputPixels: false }).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    yield {
      id,
      image: { width: info.width, height: info.height, channels: 3, data },
      // no part hierarchy is stored, so every mask is a detector target (as the trainer does without tree files)
      objects: masks.map((m) => ({ mask: decodeRle({ size: [m.rleHeight, m.rleWidth], counts: m.rleCounts }), whole: true })),
    };
  }
}
