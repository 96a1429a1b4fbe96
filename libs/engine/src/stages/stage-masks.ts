// Storing machine-made masks (prefill, auto): rows measured like every mask (measureSegmentation:
// SAM-convention bbox and area from the RLE), and the counters moved in the same transaction.
import type { Stage } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import type { BboxXywh, CompressedRle } from '@dataengine/segment';
import { nowOf, type EngineDeps } from '../engine-deps';
import { measureSegmentation } from '../masks/masks';
import { recordMaskCounters } from '../masks/mask-counters';
import type { StageImage } from './stage-inputs';

export interface MachineMask {
  segmentation: CompressedRle;
  predictedIou: number;
  stabilityScore: number;
  /** Prompt points in image pixels (autogen: the grid point). */
  pointCoords?: [number, number][];
  /** `[x, y, w, h]` of the crop that produced the mask (autogen). */
  cropBox?: BboxXywh;
}

export interface MachineMaskBatch {
  image: StageImage;
  stage: Stage;
  provenance: 'prefill' | 'auto';
  runId: string;
  checkpointId: string;
  taskId?: bigint | null;
  masks: readonly MachineMask[];
}

/** Inserts the masks with one statement and bumps the stage counters; returns how many were stored. */
export async function storeMachineMasks(deps: EngineDeps, tx: Prisma.TransactionClient, batch: MachineMaskBatch): Promise<number> {
  if (batch.masks.length === 0) return 0;
  const { image } = batch;
  await tx.mask.createMany({
    data: batch.masks.map((m) => ({
      ...measureSegmentation(m.segmentation, image, deps.settings.MASK_MAX_RLE_BYTES),
      projectId: image.projectId,
      imageId: image.id,
      taskId: batch.taskId ?? null,
      stage: batch.stage,
      provenance: batch.provenance,
      runId: batch.runId,
      checkpointId: batch.checkpointId,
      predictedIou: m.predictedIou,
      stabilityScore: m.stabilityScore,
      pointCoords: m.pointCoords ?? Prisma.DbNull,
      cropBox: m.cropBox ?? Prisma.DbNull,
    })),
  });
  await recordMaskCounters(
    tx,
    { projectId: image.projectId, stage: batch.stage, provenance: batch.provenance, authorId: null, checkpointId: batch.checkpointId, day: nowOf(deps) },
    { masks: batch.masks.length, activeMs: 0, clicks: 0 },
  );
  return batch.masks.length;
}
