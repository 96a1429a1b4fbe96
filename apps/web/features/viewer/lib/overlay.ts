// The viewer's mask overlay, painted straight from each mask's RLE runs into two display-size
// RGBA layers: the fill (drawn with the chosen opacity) and the outline (always opaque, the only
// layer in outline-only mode). Working from the runs at display size keeps a 24-megapixel image
// with hundreds of masks cheap: no mask is ever decoded at full size. Pure (no DOM).
import { rleFromString } from '@dataengine/segment';

export type Rgb = readonly [number, number, number];

export interface OverlayMask {
  /** COCO compressed RLE string (column-major runs, background first) */
  counts: string;
  colour: Rgb;
}

export interface OverlayLayers {
  width: number;
  height: number;
  fill: Uint8ClampedArray;
  outline: Uint8ClampedArray;
}

/** The overlay's size: the image's, scaled down so its long side is at most `maxSide`. */
export function displaySize(width: number, height: number, maxSide = 1600): { width: number; height: number } {
  const k = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/**
 * Paints the masks in order (later ones on top) at `display` size. `image` is the masks' own size
 * (every RLE is `[image.height, image.width]`).
 */
export function paintOverlay(masks: readonly OverlayMask[], image: { width: number; height: number }, display: { width: number; height: number }): OverlayLayers {
  const { width: dw, height: dh } = display;
  const fill = new Uint8ClampedArray(dw * dh * 4);
  const outline = new Uint8ClampedArray(dw * dh * 4);
  const fillPx = new Uint32Array(fill.buffer);
  const outlinePx = new Uint32Array(outline.buffer);
  const cover = new Uint8Array(dw * dh);
  for (const mask of masks) {
    const box = coverMask(cover, mask.counts, image, display);
    if (!box) continue;
    const [r, g, b] = mask.colour;
    const packed = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
    for (let y = box.y0; y <= box.y1; y++) {
      for (let x = box.x0; x <= box.x1; x++) {
        const i = y * dw + x;
        if (!cover[i]) continue;
        fillPx[i] = packed;
        if (x === 0 || y === 0 || x === dw - 1 || y === dh - 1 || !cover[i - 1] || !cover[i + 1] || !cover[i - dw] || !cover[i + dw]) outlinePx[i] = packed;
      }
    }
    for (let y = box.y0; y <= box.y1; y++) cover.fill(0, y * dw + box.x0, y * dw + box.x1 + 1);
  }
  return { width: dw, height: dh, fill, outline };
}

/** Marks the display pixels a mask covers; returns their bounding box (null for an empty mask). */
function coverMask(cover: Uint8Array, counts: string, image: { width: number; height: number }, display: { width: number; height: number }) {
  const runs = rleFromString(counts);
  const h = image.height;
  const sx = display.width / image.width;
  const sy = display.height / image.height;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  let at = 0;
  for (let k = 0; k < runs.length; k++) {
    const start = at;
    at += runs[k]!;
    if (k % 2 === 0 || at === start) continue; // background run
    const end = at; // [start, end) in column-major pixel order
    const firstCol = Math.floor(start / h);
    const lastCol = Math.floor((end - 1) / h);
    for (let col = firstCol; col <= lastCol; col++) {
      const top = col === firstCol ? start % h : 0;
      const bottom = col === lastCol ? ((end - 1) % h) + 1 : h; // exclusive
      const dx0 = Math.min(display.width - 1, Math.floor(col * sx));
      const dx1 = Math.min(display.width, Math.max(dx0 + 1, Math.floor((col + 1) * sx)));
      const dy0 = Math.min(display.height - 1, Math.floor(top * sy));
      const dy1 = Math.min(display.height, Math.max(dy0 + 1, Math.ceil(bottom * sy)));
      for (let dx = dx0; dx < dx1; dx++) for (let dy = dy0; dy < dy1; dy++) cover[dy * display.width + dx] = 1;
      x0 = Math.min(x0, dx0);
      x1 = Math.max(x1, dx1 - 1);
      y0 = Math.min(y0, dy0);
      y1 = Math.max(y1, dy1 - 1);
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}
