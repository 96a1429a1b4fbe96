// The focus view in the tool's frames: the shared rules are in @dataengine/segment (focus-region);
// here the region's decode frame, which is displayFrame's rule applied to the region.
import { type FocusRegion } from '@dataengine/segment';
import { displayFrame, type DisplayFrame } from './display-frame';

/** The frame masks of the region are decoded in: the region itself, or its model frame when larger than 1024. */
export function regionFrame(region: FocusRegion): DisplayFrame {
  return { ...displayFrame(region.width, region.height), x0: region.x0, y0: region.y0 };
}
