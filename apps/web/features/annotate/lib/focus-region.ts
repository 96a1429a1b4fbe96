// The focus view in the tool's frames: the shared rules are in @dataengine/segment (focus-region);
// here the region's decode frame, which is displayFrame's rule applied to the region.
import { pasteMask, regionAtFullSize, SAM_LOW_RES_SIZE, type BinaryMask, type FocusRegion } from '@dataengine/segment';
import { displayFrame, fullResolutionMask, type DisplayFrame } from './display-frame';

/** The frame masks of the region are decoded in: the region itself, or its model frame when larger than 1024. */
export function regionFrame(region: FocusRegion): DisplayFrame {
  return { ...displayFrame(region.width, region.height), x0: region.x0, y0: region.y0 };
}

/**
 * The saved form of a mask made in a focus region, at the image's full size: §1.5 on its low-res
 * logits at the region's own size, pasted at the region's place (large images: the display frame
 * would lose the detail the region was embedded for).
 */
export function focusMaskAtFullSize(lowResLogits: Float32Array, region: FocusRegion, width: number, height: number): BinaryMask {
  const inRegion = fullResolutionMask(lowResLogits, SAM_LOW_RES_SIZE, region.width, region.height);
  return pasteMask(inRegion, regionAtFullSize(region), { width, height, sx: 1, sy: 1, x0: 0, y0: 0 }).mask;
}
