import type { BinaryMask } from '../rle/rle.types';
import { type InteractiveSegmenter, simulateClicks } from './click-simulation';
import type { IouPair } from './iou-calibration';
import { meanIou } from './mask-iou';

/** NoC cap used by the SAM / RITM protocol. */
export const NOC_MAX_CLICKS = 20;
export const NOC_THRESHOLDS = [0.85, 0.9] as const;

/** Clicks needed to reach IoU ≥ `threshold` (1-based); `maxClicks` when never reached. */
export function numberOfClicks(ious: readonly number[], threshold: number, maxClicks = NOC_MAX_CLICKS): number {
  const n = Math.min(ious.length, maxClicks);
  for (let i = 0; i < n; i++) if (ious[i]! >= threshold) return i + 1;
  return maxClicks;
}

export interface InteractiveEvaluation {
  objects: number;
  /** mIoU after k clicks, for each requested k. */
  miouAt: Record<number, number>;
  noc85: number;
  noc90: number;
  /** Predicted vs true IoU of the first click's mask, per object whose model predicted one. */
  firstClick: IouPair[];
}

/**
 * Click-simulation evaluation over objects: mIoU after each k in `ks`, NoC@85 and NoC@90
 * (max 20 clicks). Each object's run stops once it has `max(ks)` clicks and IoU ≥ 0.9 (later clicks
 * change neither metric).
 */
export async function evaluateInteractive<L>(
  model: InteractiveSegmenter<L>,
  objects: readonly BinaryMask[],
  ks: readonly number[] = [1, 3, 5],
  maxClicks = NOC_MAX_CLICKS,
): Promise<InteractiveEvaluation> {
  const maxK = Math.max(...ks, 1);
  const runs: number[][] = [];
  const firstClick: IouPair[] = [];
  for (const gt of objects) {
    const { ious, predictedIous } = await simulateClicks(model, gt, Math.max(maxK, maxClicks), (s) => s.length >= maxK && s[s.length - 1]! >= NOC_THRESHOLDS[1]);
    runs.push(ious);
    const predicted = predictedIous[0];
    if (predicted !== undefined && predicted !== null && ious.length > 0) firstClick.push({ predicted, actual: ious[0]! });
  }
  const at = (ious: number[], k: number): number => ious[Math.min(k, ious.length) - 1]!;
  const miouAt: Record<number, number> = {};
  for (const k of ks) miouAt[k] = meanIou(runs.map((r) => at(r, k)));
  const noc = (t: number): number => meanIou(runs.map((r) => numberOfClicks(r, t, maxClicks))); // a plain mean of click counts
  return { objects: objects.length, miouAt, noc85: noc(NOC_THRESHOLDS[0]), noc90: noc(NOC_THRESHOLDS[1]), firstClick };
}
