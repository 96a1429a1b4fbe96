// `amg --overlay`: the generated masks drawn over the image, for a person to look at.
import type { BinaryMask, RgbImage } from '@dataengine/segment';

/** Fill opacity of a mask over the image (the outline is opaque). */
export const OVERLAY_FILL_ALPHA = 0.45;
/** Outline colour = the mask colour times this (darker, same hue). */
export const OVERLAY_OUTLINE_SHADE = 0.55;
/** Hue step between consecutive masks: the golden angle keeps neighbours in the order far apart. */
const GOLDEN_ANGLE_DEG = 137.508;

/** The `index`-th overlay colour: hues a golden angle apart, saturated and bright (HSV s 0.75, v 0.95). */
export function overlayColour(index: number): [number, number, number] {
  const h = ((index * GOLDEN_ANGLE_DEG) % 360) / 60;
  const v = 0.95;
  const c = v * 0.75;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const m = v - c;
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** Whether mask pixel `i` (set) has a 4-neighbour outside the mask or the image. */
function onOutline(mask: BinaryMask, i: number): boolean {
  const { width: w, height: h, data } = mask;
  const x = i % w;
  const y = (i - x) / w;
  return x === 0 || y === 0 || x === w - 1 || y === h - 1 || data[i - 1] === 0 || data[i + 1] === 0 || data[i - w] === 0 || data[i + w] === 0;
}

/**
 * A copy of `image` with every mask drawn on it: a distinct colour each, filled at
 * OVERLAY_FILL_ALPHA over what is already drawn, with a 1-px opaque darker outline. Largest area
 * first, so small masks stay visible on top of the large ones they lie in.
 */
export function renderMaskOverlay(image: RgbImage, masks: readonly BinaryMask[]): Uint8Array {
  const { width, height } = image;
  const out = Uint8Array.from(image.data);
  const area = (m: BinaryMask): number => m.data.reduce((s, v) => s + (v ? 1 : 0), 0);
  const order = masks.map((mask) => ({ mask, area: area(mask) })).sort((a, b) => b.area - a.area);
  for (const [index, { mask }] of order.entries()) {
    if (mask.width !== width || mask.height !== height) {
      throw new RangeError(`mask ${index} is ${mask.width}×${mask.height}, the image ${width}×${height}`);
    }
    const colour = overlayColour(index);
    const outline = colour.map((v) => Math.round(v * OVERLAY_OUTLINE_SHADE));
    for (let i = 0; i < mask.data.length; i++) {
      if (!mask.data[i]) continue;
      const edge = onOutline(mask, i);
      for (let c = 0; c < 3; c++) {
        const p = i * 3 + c;
        out[p] = edge ? outline[c]! : Math.round(out[p]! * (1 - OVERLAY_FILL_ALPHA) + colour[c]! * OVERLAY_FILL_ALPHA);
      }
    }
  }
  return out;
}
