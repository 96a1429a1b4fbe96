// Masks as image-sized canvases, drawn over the image with the view transform (one drawImage per
// layer per frame, whatever the zoom), and rebuilt only when the masks change.
import type { BinaryMask } from '@dataengine/segment';
import { paintMaskRgba } from './lib/mask-edit';

export interface OverlayLayer {
  mask: BinaryMask;
  colour: readonly [number, number, number];
  /** 0–255 */
  alpha: number;
}

/** First and last row (inclusive) holding a mask pixel, or null for an empty mask. */
function rowSpan(mask: BinaryMask): [number, number] | null {
  const { data, width, height } = mask;
  let first = -1;
  for (let y = 0; y < height && first < 0; y++) if (data.subarray(y * width, (y + 1) * width).indexOf(1) >= 0) first = y;
  if (first < 0) return null;
  let last = first;
  for (let y = height - 1; y > first; y--) {
    if (data.subarray(y * width, (y + 1) * width).indexOf(1) >= 0) {
      last = y;
      break;
    }
  }
  return [first, last];
}

export function buildOverlay(width: number, height: number, layers: readonly OverlayLayer[]): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const drawn = layers.filter((l) => l.mask.width === width && l.mask.height === height);
  if (!ctx || drawn.length === 0) return canvas;
  // only the rows the masks cover are painted and uploaded (a small object: a thin band)
  let top = height;
  let bottom = -1;
  for (const layer of drawn) {
    const span = rowSpan(layer.mask);
    if (span) [top, bottom] = [Math.min(top, span[0]), Math.max(bottom, span[1])];
  }
  if (bottom < top) return canvas;
  const rows = bottom - top + 1;
  const pixels = ctx.createImageData(width, rows);
  for (const layer of drawn) {
    const band = { width, height: rows, data: layer.mask.data.subarray(top * width, (bottom + 1) * width) };
    paintMaskRgba(pixels.data, band, layer.colour, layer.alpha);
  }
  ctx.putImageData(pixels, 0, top);
  return canvas;
}
