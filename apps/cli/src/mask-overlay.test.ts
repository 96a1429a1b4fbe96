import { describe, expect, it } from 'vitest';
import type { BinaryMask, RgbImage } from '@dataengine/segment';
import { OVERLAY_FILL_ALPHA, OVERLAY_OUTLINE_SHADE, overlayColour, renderMaskOverlay } from './mask-overlay';

const W = 12;
const H = 10;
const grey: RgbImage = { width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3).fill(100) };

/** A mask of the rectangle [x0, x1) × [y0, y1). */
function rect(x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const data = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) data.fill(1, y * W + x0, y * W + x1);
  return { width: W, height: H, data };
}

const px = (rgb: Uint8Array, x: number, y: number): number[] => Array.from(rgb.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));
const fill = (under: number[], colour: number[]): number[] => under.map((u, c) => Math.round(u * (1 - OVERLAY_FILL_ALPHA) + colour[c]! * OVERLAY_FILL_ALPHA));
const outline = (colour: number[]): number[] => colour.map((v) => Math.round(v * OVERLAY_OUTLINE_SHADE));

describe('renderMaskOverlay', () => {
  it('fills each mask semi-transparently with a 1-px darker outline; pixels outside every mask stay as they were', () => {
    const out = renderMaskOverlay(grey, [rect(2, 2, 8, 7)]);
    const c = overlayColour(0);
    expect(px(out, 0, 0)).toEqual([100, 100, 100]);
    expect(px(out, 2, 2)).toEqual(outline(c)); // corner
    expect(px(out, 7, 4)).toEqual(outline(c)); // right edge
    expect(px(out, 4, 4)).toEqual(fill([100, 100, 100], c)); // inside
    expect(px(out, 8, 4)).toEqual([100, 100, 100]);
    expect(Array.from(grey.data.subarray(0, 3))).toEqual([100, 100, 100]); // the input is not changed
  });

  it('draws the largest mask first, so a small mask inside it stays visible on top, in its own colour', () => {
    const large = rect(0, 0, W, H);
    const small = rect(4, 3, 8, 7);
    const out = renderMaskOverlay(grey, [small, large]); // given smallest first
    const [cLarge, cSmall] = [overlayColour(0), overlayColour(1)];
    expect(cLarge).not.toEqual(cSmall);
    expect(px(out, 1, 1)).toEqual(fill([100, 100, 100], cLarge));
    expect(px(out, 5, 4)).toEqual(fill(fill([100, 100, 100], cLarge), cSmall)); // blended over the large fill
    expect(px(out, 4, 3)).toEqual(outline(cSmall));
    expect(px(out, 0, 5)).toEqual(outline(cLarge)); // the image border closes a mask's outline
  });

  it('gives neighbouring masks distinct colours and refuses a mask of another size', () => {
    const colours = Array.from({ length: 12 }, (_, i) => overlayColour(i).join(','));
    expect(new Set(colours).size).toBe(12);
    expect(() => renderMaskOverlay(grey, [{ width: 4, height: 4, data: new Uint8Array(16) }])).toThrow(/mask 0 is 4×4, the image 12×10/);
  });
});
