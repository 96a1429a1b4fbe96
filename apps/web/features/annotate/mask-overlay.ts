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

export function buildOverlay(width: number, height: number, layers: readonly OverlayLayer[]): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx || layers.length === 0) return canvas;
  const pixels = ctx.createImageData(width, height);
  for (const layer of layers) {
    if (layer.mask.width === width && layer.mask.height === height) paintMaskRgba(pixels.data, layer.mask, layer.colour, layer.alpha);
  }
  ctx.putImageData(pixels, 0, 0);
  return canvas;
}
