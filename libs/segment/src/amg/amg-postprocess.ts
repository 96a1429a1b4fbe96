import { rleExtent } from '../rle/rle-measure';
import type { AmgCandidate } from './amg-process-crop';
import { boxNms } from './box-nms';
import { boxAreaXyxy } from './crop-boxes';
import { removeSmallRegions } from './remove-small-regions';

/**
 * Cross-crop NMS (SAM-SPEC.md §3.2 "Across crops"): score `1 / area(crop_box)` as a float32 (the
 * more zoomed-in crop wins), threshold `crop_nms_thresh`, image-coordinate boxes. Only called
 * when there is more than one crop.
 */
export function crossCropNms(candidates: readonly AmgCandidate[], cropNmsThresh: number): AmgCandidate[] {
  const boxes = new Float64Array(candidates.length * 4);
  const scores = new Float64Array(candidates.length);
  candidates.forEach((c, i) => {
    boxes.set(c.box, 4 * i);
    scores[i] = Math.fround(1 / boxAreaXyxy(c.cropBox));
  });
  return boxNms(boxes, scores, cropNmsThresh).map((i) => candidates[i]!);
}

/**
 * `postprocess_small_regions` (§3.2): per mask, fill holes then remove islands smaller than
 * `minArea` (on the RLE, one mask at a time — upstream stacks every mask densely here); score 1
 * for unchanged masks and 0 for changed ones; NMS at `nmsThresh` = max(box, crop) thresholds on the
 * recomputed boxes, so unchanged masks win; kept changed masks get the new RLE and box.
 * `predictedIou` and `stabilityScore` are not recomputed.
 */
export function postprocessSmallRegions(candidates: readonly AmgCandidate[], minArea: number, nmsThresh: number): AmgCandidate[] {
  const cleaned = candidates.map((c) => {
    const holes = removeSmallRegions(c.rle, minArea, 'holes');
    const islands = removeSmallRegions(holes.rle, minArea, 'islands');
    const e = rleExtent(islands.rle);
    const box: [number, number, number, number] = e === null ? [0, 0, 0, 0] : e;
    return { rle: islands.rle, box, unchanged: !holes.changed && !islands.changed };
  });
  const boxes = new Float64Array(candidates.length * 4);
  const scores = new Float64Array(candidates.length);
  cleaned.forEach((c, i) => {
    boxes.set(c.box, 4 * i);
    scores[i] = c.unchanged ? 1 : 0;
  });
  return boxNms(boxes, scores, nmsThresh).map((i) => {
    const c = candidates[i]!;
    const n = cleaned[i]!;
    return n.unchanged ? c : { ...c, rle: n.rle, box: n.box };
  });
}
