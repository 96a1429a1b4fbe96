// Masks as canvases drawn over the image with the view transform (one drawImage per layer per
// frame, whatever the zoom), rebuilt only when the masks change. A layer's canvas covers only the
// rectangle its masks occupy (a small object: a small canvas to fill, upload and draw).
import type { BinaryMask } from '@dataengine/segment';
import { maskBounds, paintMaskRgba } from './lib/mask-edit';

export interface OverlayLayer {
  mask: BinaryMask;
  colour: readonly [number, number, number];
  /** 0–255 */
  alpha: number;
}

/** Painted masks: `canvas` (null when no pixel is set) sits at (x, y) of a frameWidth × frameHeight frame. */
export interface Overlay {
  canvas: HTMLCanvasElement | null;
  x: number;
  y: number;
  frameWidth: number;
  frameHeight: number;
}

export function buildOverlay(width: number, height: number, layers: readonly OverlayLayer[]): Overlay {
  const empty: Overlay = { canvas: null, x: 0, y: 0, frameWidth: width, frameHeight: height };
  // overlays may be smaller than the image (large images: the display frame); the canvas scales them
  const drawn = layers.filter((l) => l.mask.width === width && l.mask.height === height);
  const rect = maskBounds(drawn.map((l) => l.mask));
  if (!rect) return empty;
  const [x0, y0, x1, y1] = rect;
  const canvas = document.createElement('canvas');
  canvas.width = x1 - x0 + 1;
  canvas.height = y1 - y0 + 1;
  const ctx = canvas.getContext('2d');
  if (!ctx) return empty;
  const pixels = ctx.createImageData(canvas.width, canvas.height);
  for (const layer of drawn) paintMaskRgba(pixels.data, layer.mask, layer.colour, layer.alpha, rect);
  ctx.putImageData(pixels, 0, 0);
  return { ...empty, canvas, x: x0, y: y0 };
}

/** Draws the overlay over an image of width × height (in the context's current transform). */
export function drawOverlay(ctx: CanvasRenderingContext2D, overlay: Overlay, width: number, height: number): void {
  if (!overlay.canvas) return;
  const sx = width / overlay.frameWidth;
  const sy = height / overlay.frameHeight;
  ctx.drawImage(overlay.canvas, overlay.x * sx, overlay.y * sy, overlay.canvas.width * sx, overlay.canvas.height * sy);
}
