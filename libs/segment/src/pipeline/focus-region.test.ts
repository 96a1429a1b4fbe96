import { describe, expect, it } from 'vitest';
import type { BinaryMask } from '../rle/rle.types';
import { cropMask, focusGain, focusRegion, focusSuits, pasteMask, promptsInside, regionAtFullSize, sameRegion, touchesRegionEdge, type MaskFrame } from './focus-region';

const whole = (width: number, height: number): MaskFrame => ({ width, height, sx: 1, sy: 1, x0: 0, y0: 0 });
/** The 1024-long-side frame a large image is shown in (the annotator tool's display frame). */
const scaled = (width: number, height: number, side: number): MaskFrame => {
  const k = side / Math.max(width, height);
  const [w, h] = [Math.round(width * k), Math.round(height * k)];
  return { width: w, height: h, sx: w / width, sy: h / height, x0: 0, y0: 0 };
};

function rect(width: number, height: number, x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 1;
  return { width, height, data };
}

describe('focus region', () => {
  it('is the visible part of the image once the view shows at most 1/1.5 of its long side', () => {
    expect(focusRegion([-50, -40, 700, 500], 640, 480)).toBeNull(); // the whole image on screen
    expect(focusRegion([0, 0, 500, 300], 640, 480)).toBeNull(); // 500 px of 640: gain 1.28
    expect(focusRegion([100.4, 50.6, 300.2, 200.9], 640, 480)).toEqual({ x0: 100, y0: 50, width: 201, height: 151 });
    expect(focusRegion([600, -20, 900, 100], 640, 480)).toEqual({ x0: 592, y0: 0, width: 48, height: 100 }); // cut to the image, then at least 48 px
    expect(focusRegion([700, 10, 800, 50], 640, 480)).toBeNull(); // beside the image
    expect(focusRegion([300, 200, 310, 205], 640, 480)).toEqual({ x0: 281, y0: 179, width: 48, height: 48 }); // a deep zoom: 48 px around its centre
    const r = focusRegion([100, 50, 300, 200], 640, 480)!;
    expect(focusGain(r, 640, 480)).toBeCloseTo(3.2);
    expect(sameRegion(r, { ...r })).toBe(true);
    expect(sameRegion(r, { ...r, x0: 101 })).toBe(false);
  });

  it('pastes a region mask back into the image frame and into a downscaled display frame', () => {
    const region = { x0: 100, y0: 50, width: 200, height: 150 };
    const inRegion = rect(200, 150, 20, 30, 60, 50); // image (120..160, 80..100)
    const pasted = pasteMask(inRegion, regionAtFullSize(region), whole(640, 480));
    expect(pasted.area).toBe(40 * 20);
    expect(pasted.mask.data[80 * 640 + 120]).toBe(1);
    expect(pasted.mask.data[79 * 640 + 120]).toBe(0);
    expect(pasted.mask.data[99 * 640 + 159]).toBe(1);
    expect(pasted.mask.data[100 * 640 + 159]).toBe(0);
    // a 4000×3000 image shown in its 1024×768 frame: the same object at 0.256 scale
    const display = scaled(4000, 3000, 1024);
    const big = { x0: 1000, y0: 1000, width: 400, height: 300 };
    const obj = rect(400, 300, 100, 100, 300, 200); // image (1100..1300, 1100..1200)
    const small = pasteMask(obj, regionAtFullSize(big), display);
    expect(small.area).toBeGreaterThan(51 * 25 - 60);
    expect(small.area).toBeLessThan(52 * 26 + 60);
    expect(small.mask.data[Math.round(1150 * display.sy) * display.width + Math.round(1200 * display.sx)]).toBe(1);
    // and back at full size, as an accepted mask is made
    const full = pasteMask(obj, regionAtFullSize(big), whole(4000, 3000));
    expect(full.area).toBe(200 * 100);
    expect(cropMask(full.mask, big).data).toEqual(obj.data);
  });

  it('tells an object cut off by the region from one inside it (image edges do not count)', () => {
    const region = { x0: 100, y0: 50, width: 200, height: 150 };
    expect(touchesRegionEdge(rect(200, 150, 20, 30, 60, 50), region, 640, 480)).toBe(false);
    expect(touchesRegionEdge(rect(200, 150, 150, 30, 200, 50), region, 640, 480)).toBe(true); // runs into the right edge
    expect(touchesRegionEdge(rect(200, 150, 20, 0, 60, 10), region, 640, 480)).toBe(true); // the top edge
    expect(touchesRegionEdge(rect(200, 150, 199, 10, 200, 12), region, 640, 480)).toBe(false); // 2 stray pixels
    const corner = { x0: 0, y0: 0, width: 200, height: 150 }; // the image's own corner
    expect(touchesRegionEdge(rect(200, 150, 0, 0, 60, 50), corner, 640, 480)).toBe(false);
  });

  it('suits objects the whole-image model sees at up to 6000 px of its 1024 frame', () => {
    expect(focusSuits(1500, 512, 384)).toBe(true); // 1500 · 2² = 6000
    expect(focusSuits(1501, 512, 384)).toBe(false);
    expect(focusSuits(3000, 1024, 768)).toBe(true);
    expect(focusSuits(24_000, 4096, 3072)).toBe(true); // a 4096 px image is shown 4× smaller: 24000 / 16 = 1500
    expect(focusSuits(100_000, 4096, 3072)).toBe(false); // 6250
    expect(focusSuits(0, 512, 384)).toBe(false); // an empty mask says nothing about the object
  });

  it('keeps prompts inside the region or says they are not', () => {
    const region = { x0: 100, y0: 50, width: 200, height: 150 };
    expect(promptsInside(region, [{ x: 120, y: 60 }], null)).toBe(true);
    expect(promptsInside(region, [{ x: 120, y: 60 }, { x: 320, y: 60 }], null)).toBe(false);
    expect(promptsInside(region, [], [90, 60, 200, 100])).toBe(false);
  });
});
