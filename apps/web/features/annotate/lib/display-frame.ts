// Large images: the decoder upscales its 256×256 logits in-graph to `orig_im_size` (SAM-SPEC.md
// §1.5), which for a 6000×4000 photo is 4 × 24 M floats per click. The tool instead decodes in the
// model's own resized frame (long side 1024: the same point transform, the same crop, so the same
// low-res logits) and draws that mask scaled up by the canvas. The saved mask is made from the
// low-res logits with the §1.5 upscale at the image's full size, as the graph would.
import { resizeLongestSide, summarizeLowResChannel, type BinaryMask, type BoxXyxy } from '@dataengine/segment';

export interface DisplayFrame {
  width: number;
  height: number;
  /** display = image · (sx, sy); 1 when the display is the image itself. */
  sx: number;
  sy: number;
  /** true: the display is the image at full size (small images: nothing to upscale at accept). */
  exact: boolean;
  /** The image pixel at the frame's origin: 0 for the whole image; a focus region's corner (focus-region.ts). */
  x0: number;
  y0: number;
}

/** Images whose long side exceeds this are decoded in the model frame. */
export const FRAME_SIDE = 1024;

export function displayFrame(width: number, height: number, frameSide: number = FRAME_SIDE): DisplayFrame {
  if (Math.max(width, height) <= frameSide) return { width, height, sx: 1, sy: 1, exact: true, x0: 0, y0: 0 };
  const g = resizeLongestSide(height, width, frameSide);
  return { width: g.resizedWidth, height: g.resizedHeight, sx: g.resizedWidth / width, sy: g.resizedHeight / height, exact: false, x0: 0, y0: 0 };
}

/** Image pixels → the frame's pixels. */
export const toDisplayPoint = (f: DisplayFrame, x: number, y: number): [number, number] => [(x - f.x0) * f.sx, (y - f.y0) * f.sy];

export function toDisplayBox(f: DisplayFrame, box: BoxXyxy): BoxXyxy {
  return [(box[0] - f.x0) * f.sx, (box[1] - f.y0) * f.sy, (box[2] - f.x0) * f.sx, (box[3] - f.y0) * f.sy];
}

/** The full-resolution mask of one decoder channel: §1.5 on its low-res logits, then `> 0`. */
export function fullResolutionMask(lowResLogits: Float32Array, lowResSize: number, width: number, height: number): BinaryMask {
  return summarizeLowResChannel(lowResLogits, lowResSize, height, width).mask;
}

/** Nearest-neighbour resample (display overlays of large saved masks). */
export function resampleMask(mask: BinaryMask, width: number, height: number): BinaryMask {
  if (mask.width === width && mask.height === height) return mask;
  const data = new Uint8Array(width * height);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) xs[x] = Math.min(mask.width - 1, Math.floor(((x + 0.5) * mask.width) / width));
  for (let y = 0; y < height; y++) {
    const src = Math.min(mask.height - 1, Math.floor(((y + 0.5) * mask.height) / height)) * mask.width;
    const row = y * width;
    for (let x = 0; x < width; x++) data[row + x] = mask.data[src + xs[x]!]!;
  }
  return { width, height, data };
}

/** Logit magnitude a binary mask is given when it is fed back as the decoder's mask prompt. */
export const MASK_PROMPT_LOGIT = 10;

/**
 * A saved mask as the decoder's `mask_input`: its low-res form in the padded model frame
 * (+MASK_PROMPT_LOGIT inside, − outside and in the padding), so clicks refine the saved mask
 * instead of starting over. `mask` may be at any resolution of the image (full or display).
 */
export function maskToLowResLogits(mask: BinaryMask, imageWidth: number, imageHeight: number, lowResSize: number, frameSide: number = FRAME_SIDE): Float32Array {
  const g = resizeLongestSide(imageHeight, imageWidth, frameSide);
  const cell = frameSide / lowResSize;
  const out = new Float32Array(lowResSize * lowResSize).fill(-MASK_PROMPT_LOGIT);
  for (let v = 0; v < lowResSize; v++) {
    const fy = (v + 0.5) * cell; // the cell's centre in the frame
    if (fy >= g.resizedHeight) break;
    const sy = Math.min(mask.height - 1, Math.floor((fy * mask.height) / g.resizedHeight));
    for (let u = 0; u < lowResSize; u++) {
      const fx = (u + 0.5) * cell;
      if (fx >= g.resizedWidth) break;
      const sx = Math.min(mask.width - 1, Math.floor((fx * mask.width) / g.resizedWidth));
      if (mask.data[sy * mask.width + sx]) out[v * lowResSize + u] = MASK_PROMPT_LOGIT;
    }
  }
  return out;
}

/** XYWH (SAM bbox of a saved mask) → XYXY inside the image. */
export function bboxToBox([x, y, w, h]: readonly [number, number, number, number], width: number, height: number): BoxXyxy {
  return [Math.max(0, x), Math.max(0, y), Math.min(width, x + w), Math.min(height, y + h)];
}
