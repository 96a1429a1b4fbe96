import { summarizeLowResChannel } from '../pipeline/low-res-mask';
import { encodeMask } from '../rle/rle-encode';
import { rleExtent } from '../rle/rle-measure';
import type { UncompressedRle } from '../rle/rle.types';
import { rlePaste } from '../rle-ops/rle-paste';
import { sliceImage } from './amg-image';
import { AMG_MASKS_PER_POINT, type AmgModel, type MultimaskPrediction, type RgbImage } from './amg-model';
import { AMG_MASK_THRESHOLD, type AmgOptions, type PointGrid } from './amg-options';
import { boxNms } from './box-nms';
import type { CropBoxXyxy } from './crop-boxes';
import { isBoxNearCropEdge, passesPredIou, passesStability, thresholdLogitsInto } from './mask-scoring';

/** One mask that survived the per-crop filters, already pasted into the full image as RLE. */
export interface AmgCandidate {
  rle: UncompressedRle;
  /** SAM box, inclusive `[x0, y0, x1, y1]`, image coordinates. */
  box: [number, number, number, number];
  predictedIou: number;
  stabilityScore: number;
  /** The grid point that produced the mask, image pixels. */
  point: [number, number];
  cropBox: CropBoxXyxy;
}

/** Time and call counters, filled in while generating (for the overhead benchmark and logs). */
export interface AmgRunStats {
  /** Milliseconds spent awaiting `embedCrop` / `predictMultimask` / `release`. */
  embedMs: number;
  decodeMs: number;
  /** Decoder prompts (points) and model calls. */
  points: number;
  decodeCalls: number;
  /** Masks decoded, and masks left after the per-batch filters. */
  masksDecoded: number;
  masksKept: number;
  /** Why masks were dropped, per filter stage in the order they run (what a run reports when it kept none). */
  dropped: AmgDropCounts;
}

/** Masks removed by each AMG filter stage (SAM-SPEC.md §3.2). */
export interface AmgDropCounts {
  /** predicted IoU not above pred_iou_thresh */
  predIou: number;
  /** stability score below stability_score_thresh */
  stability: number;
  /** touching a crop edge that is not an image edge */
  cropEdge: number;
  /** overlapping a better mask of the same crop (box NMS) */
  boxNms: number;
  /** overlapping a mask of a more zoomed-in crop */
  cropNms: number;
  /** removed after small-region clean-up (overlapping an unchanged mask) */
  smallRegions: number;
}

export const emptyDropCounts = (): AmgDropCounts => ({ predIou: 0, stability: 0, cropEdge: 0, boxNms: 0, cropNms: 0, smallRegions: 0 });

export function emptyRunStats(): AmgRunStats {
  return { embedMs: 0, decodeMs: 0, points: 0, decodeCalls: 0, masksDecoded: 0, masksKept: 0, dropped: emptyDropCounts() };
}

export interface ProcessCropArgs {
  model: AmgModel;
  image: RgbImage;
  cropBox: CropBoxXyxy;
  layer: number;
  grid: PointGrid;
  options: AmgOptions;
  /** Upper bound on the logits one `predictMultimask` call may return (bytes). */
  maxLogitsBytesPerCall: number;
  stats: AmgRunStats;
  signal?: AbortSignal;
}

/**
 * `_process_crop` (SAM-SPEC.md §3.2): embed the crop, decode the grid in batches of
 * `pointsPerBatch`, filter each batch, keep each surviving mask only as a full-size RLE, then NMS
 * within the crop by predicted IoU. Returns candidates in NMS order (decreasing predicted IoU).
 */
export async function processCrop(args: ProcessCropArgs): Promise<AmgCandidate[]> {
  const { model, image, cropBox, grid, options, stats, signal } = args;
  const [x0, y0, x1, y1] = cropBox;
  const cw = x1 - x0;
  const ch = y1 - y0;
  const points = grid.map(([gx, gy]) => [gx * cw, gy * ch] as [number, number]);
  const perPointBytes = AMG_MASKS_PER_POINT * cw * ch * 4;
  const callSize = Math.max(1, Math.min(options.pointsPerBatch, Math.floor(args.maxLogitsBytesPerCall / perPointBytes), model.maxPointsPerCall ?? Infinity));

  let t = performance.now();
  const handle = await model.embedCrop(sliceImage(image, cropBox), { cropBox, layer: args.layer, imageWidth: image.width, imageHeight: image.height });
  stats.embedMs += performance.now() - t;
  const local: AmgCandidate[] = [];
  const scratch = new Uint8Array(cw * ch);
  try {
    for (let b = 0; b < points.length; b += options.pointsPerBatch) {
      const batchEnd = Math.min(points.length, b + options.pointsPerBatch);
      for (let c = b; c < batchEnd; c += callSize) {
        signal?.throwIfAborted();
        const chunk = points.slice(c, Math.min(batchEnd, c + callSize));
        t = performance.now();
        const pred = await model.predictMultimask(handle, chunk);
        stats.decodeMs += performance.now() - t;
        stats.decodeCalls++;
        stats.points += chunk.length;
        checkPrediction(pred, chunk.length, ch, cw);
        filterBatch(pred, chunk, args, scratch, local);
      }
    }
  } finally {
    t = performance.now();
    await model.release(handle);
    stats.embedMs += performance.now() - t;
  }

  const boxes = new Float64Array(local.length * 4);
  const scores = new Float64Array(local.length);
  local.forEach((m, i) => {
    boxes.set(m.box, 4 * i);
    scores[i] = m.predictedIou;
  });
  const kept = boxNms(boxes, scores, options.boxNmsThresh);
  stats.dropped.boxNms += local.length - kept.length;
  return kept.map((i) => {
    const m = local[i]!;
    const [bx0, by0, bx1, by1] = m.box;
    return { ...m, box: [bx0 + x0, by0 + y0, bx1 + x0, by1 + y0], point: [m.point[0] + x0, m.point[1] + y0] };
  });
}

/**
 * `_process_batch` steps c–h for one decoder result: masks are visited point-major
 * (p0m1, p0m2, p0m3, p1m1, …); boxes and points stay crop-local here.
 */
function filterBatch(pred: MultimaskPrediction, chunk: readonly [number, number][], args: ProcessCropArgs, scratch: Uint8Array, out: AmgCandidate[]): void {
  const { options, cropBox, image, stats } = args;
  const { height: ch, width: cw } = pred;
  const plane = ch * cw;
  for (let p = 0; p < chunk.length; p++) {
    for (let m = 0; m < AMG_MASKS_PER_POINT; m++) {
      const k = p * AMG_MASKS_PER_POINT + m;
      stats.masksDecoded++;
      const iou = pred.iou[k]!;
      if (options.predIouThresh > 0 && !passesPredIou(iou, options.predIouThresh)) {
        stats.dropped.predIou++;
        continue;
      }
      // stability (§3.3) and the `> 0` binarisation in one pass over the logits (or the low-res logits, upscaled on the way)
      let stability: number;
      let maskBytes = scratch;
      if (pred.lowRes) {
        const { data, size, imageSize } = pred.lowRes;
        const summary = summarizeLowResChannel(data.subarray(k * size * size, (k + 1) * size * size), size, ch, cw, imageSize, AMG_MASK_THRESHOLD, options.stabilityScoreOffset);
        stability = Math.fround(summary.stabilityScore);
        maskBytes = summary.mask.data;
      } else {
        stability = thresholdLogitsInto(pred.logits!, k * plane, plane, options.stabilityScoreOffset, scratch);
      }
      if (options.stabilityScoreThresh > 0 && !passesStability(stability, options.stabilityScoreThresh)) {
        stats.dropped.stability++;
        continue;
      }
      const cropRle = encodeMask({ height: ch, width: cw, data: maskBytes });
      // SAM box (§3.4): inclusive extents, [0, 0, 0, 0] when empty; read off the runs
      const box = rleExtent(cropRle) ?? [0, 0, 0, 0];
      if (isBoxNearCropEdge(box, cropBox, image.width, image.height)) {
        stats.dropped.cropEdge++;
        continue;
      }
      const full = ch === image.height && cw === image.width;
      const rle = full ? cropRle : rlePaste(cropRle, cropBox[0], cropBox[1], image.height, image.width);
      stats.masksKept++;
      out.push({ rle, box, predictedIou: iou, stabilityScore: stability, point: [chunk[p]![0], chunk[p]![1]], cropBox });
    }
  }
}

function checkPrediction(pred: MultimaskPrediction, count: number, ch: number, cw: number): void {
  const problems: string[] = [];
  if (pred.count !== count) problems.push(`count ${pred.count}, expected ${count}`);
  if (pred.height !== ch || pred.width !== cw) problems.push(`masks ${pred.height}x${pred.width}, expected the crop size ${ch}x${cw}`);
  if (pred.lowRes) {
    const { data, size } = pred.lowRes;
    if (data.length !== count * AMG_MASKS_PER_POINT * size * size) problems.push(`low-res logits length ${data.length}, expected ${count}×${AMG_MASKS_PER_POINT}×${size}×${size}`);
  } else if (!pred.logits || pred.logits.length !== count * AMG_MASKS_PER_POINT * ch * cw) {
    problems.push(`logits length ${pred.logits?.length ?? 'missing'}, expected ${count}×${AMG_MASKS_PER_POINT}×${ch}×${cw}`);
  }
  if (pred.iou.length !== count * AMG_MASKS_PER_POINT) problems.push(`iou length ${pred.iou.length}, expected ${count * AMG_MASKS_PER_POINT}`);
  if (problems.length > 0) throw new RangeError(`AmgModel.predictMultimask returned ${problems.join('; ')}`);
}
