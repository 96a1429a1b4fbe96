import { boxIouXyxy } from '../amg/box-nms';

/** A scored detection or a ground-truth box, XYXY in pixels (no +1 on widths, as COCO). */
export interface ApDetection {
  imageId: string | number;
  box: readonly [number, number, number, number];
  score: number;
}

export interface ApGroundTruth {
  imageId: string | number;
  box: readonly [number, number, number, number];
}

/** COCO evaluation constants (pycocotools `Params`): 101 recall points, 100 detections per image. */
export const COCO_RECALL_POINTS = 101;
export const COCO_MAX_DETS = 100;

/**
 * Single-class box AP at one IoU threshold (default 0.5), COCO-style as pycocotools computes it
 * for area "all": per image the top `maxDets` detections by score are matched greedily (highest
 * score first) to the unmatched ground truth of highest IoU, a match needing IoU ≥ threshold; all
 * detections are then ranked by score (stable), precision is made monotone from the right, and AP
 * is the mean precision at the 101 recall points 0, 0.01, …, 1 (0 where recall is not reached).
 * Returns NaN when there is no ground truth (pycocotools reports −1).
 */
export function boxAp(detections: readonly ApDetection[], groundTruth: readonly ApGroundTruth[], iouThreshold = 0.5, maxDets = COCO_MAX_DETS): number {
  if (groundTruth.length === 0) return NaN;
  const gtByImage = groupBy(groundTruth);
  const dtByImage = groupBy(detections);
  const scored: { score: number; tp: boolean }[] = [];
  // images in sorted id order, as pycocotools concatenates them (matters for ties across images)
  const imageIds = [...dtByImage.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  for (const imageId of imageIds) {
    const dts = dtByImage.get(imageId)!;
    const gts = gtByImage.get(imageId) ?? [];
    const matched = new Uint8Array(gts.length);
    const ranked = stableByScore(dts).slice(0, maxDets);
    for (const d of ranked) {
      let best = -1;
      let bestIou = Math.min(iouThreshold, 1 - 1e-10);
      gts.forEach((g, gi) => {
        if (matched[gi] === 1) return;
        const iou = boxIouXyxy(d.box, g.box);
        if (iou < bestIou) return;
        bestIou = iou;
        best = gi;
      });
      if (best >= 0) matched[best] = 1;
      scored.push({ score: d.score, tp: best >= 0 });
    }
  }
  const all = stableByScore(scored);
  const n = all.length;
  const precision = new Float64Array(n);
  const recall = new Float64Array(n);
  let tp = 0;
  let fp = 0;
  all.forEach((d, i) => {
    if (d.tp) tp++;
    else fp++;
    recall[i] = tp / groundTruth.length;
    precision[i] = tp / (tp + fp + Number.EPSILON);
  });
  for (let i = n - 1; i > 0; i--) if (precision[i]! > precision[i - 1]!) precision[i - 1] = precision[i]!;
  let sum = 0;
  // recall thresholds as numpy's linspace(0, 1, 101) computes them: i · 0.01, last exactly 1
  const step = 1 / (COCO_RECALL_POINTS - 1);
  for (let r = 0; r < COCO_RECALL_POINTS; r++) {
    const rt = r === COCO_RECALL_POINTS - 1 ? 1 : r * step;
    const idx = lowerBound(recall, rt);
    if (idx < n) sum += precision[idx]!;
  }
  return sum / COCO_RECALL_POINTS;
}

/** Box AP at IoU 0.5 (AP50). */
export function boxAp50(detections: readonly ApDetection[], groundTruth: readonly ApGroundTruth[]): number {
  return boxAp(detections, groundTruth, 0.5);
}

function groupBy<T extends { imageId: string | number }>(items: readonly T[]): Map<string | number, T[]> {
  const m = new Map<string | number, T[]>();
  for (const it of items) {
    const list = m.get(it.imageId);
    if (list) list.push(it);
    else m.set(it.imageId, [it]);
  }
  return m;
}

/** Descending score, stable (numpy `argsort(-scores, kind='mergesort')`). */
function stableByScore<T extends { score: number }>(items: readonly T[]): T[] {
  return items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => b.it.score - a.it.score || a.i - b.i)
    .map((x) => x.it);
}

/** First index with `a[i] ≥ v` (numpy `searchsorted(side='left')`). */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
