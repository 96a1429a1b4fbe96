import { labelSegments, rleToSegments, segmentsToRle } from '../rle-ops/rle-components';
import type { Rle, UncompressedRle } from '../rle/rle.types';

export type SmallRegionMode = 'holes' | 'islands';

/**
 * `remove_small_regions(mask, area_thresh, mode)` (SAM-SPEC.md §3.2, small-region post-processing)
 * on an RLE, without decoding it. Components use 8-connectivity, like OpenCV's
 * `connectedComponentsWithStats(…, 8)` upstream.
 * - `holes`: components of the inverted mask with area < A are filled (the outer background is
 *   such a component too and is filled when it is smaller than A, as upstream);
 * - `islands`: components of the mask with area < A are removed; when every component is below A
 *   only the largest is kept (first in raster order on ties, like `np.argmax` over OpenCV's labels).
 * `changed` is true whenever some component was below A (even when the result happens to equal
 * the input, as with a single small island), matching upstream.
 */
export function removeSmallRegions(rle: Rle, areaThresh: number, mode: SmallRegionMode): { rle: UncompressedRle; changed: boolean } {
  const seg = rleToSegments(rle);
  const target = mode === 'holes' ? 0 : 1;
  const comps = labelSegments(seg, target, 8);
  const small = comps.area.map((a) => a < areaThresh);
  if (!small.some(Boolean)) {
    return { rle: segmentsToRle(seg, (k) => seg.value[k]!), changed: false };
  }
  if (mode === 'holes') {
    return { rle: segmentsToRle(seg, (k) => (seg.value[k] === 1 || small[comps.componentOf[k]!] ? 1 : 0)), changed: true };
  }
  let keep = small.map((s) => !s);
  if (!keep.some(Boolean)) {
    let best = 0;
    for (let c = 1; c < comps.count; c++) if (comps.area[c]! > comps.area[best]!) best = c;
    keep = small.map((_, c) => c === best);
  }
  return { rle: segmentsToRle(seg, (k) => (seg.value[k] === 1 && keep[comps.componentOf[k]!] ? 1 : 0)), changed: true };
}
