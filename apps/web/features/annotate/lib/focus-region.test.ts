import { describe, expect, it } from 'vitest';
import { pasteMask, type BinaryMask } from '@dataengine/segment';
import { displayFrame, toDisplayBox, toDisplayPoint } from './display-frame';
import { focusMaskAtFullSize, regionFrame } from './focus-region';

describe('focus region frame', () => {
  it('maps image pixels into the region frame, and large regions into their 1024 model frame', () => {
    const f = regionFrame({ x0: 100, y0: 50, width: 200, height: 150 });
    expect([f.width, f.height, f.exact]).toEqual([200, 150, true]);
    expect(toDisplayPoint(f, 150, 60)).toEqual([50, 10]);
    expect(toDisplayBox(f, [100, 50, 300, 200])).toEqual([0, 0, 200, 150]);
    const big = regionFrame({ x0: 1000, y0: 0, width: 2048, height: 1536 });
    expect([big.width, big.height, big.exact]).toEqual([1024, 768, false]);
    expect(toDisplayPoint(big, 2024, 1536)).toEqual([512, 768]);
  });

  it('a mask decoded in a large region frame lands in place in a large image display frame', () => {
    const display = displayFrame(6000, 4000); // 1024×683
    const region = regionFrame({ x0: 2000, y0: 1000, width: 2048, height: 1536 }); // 1024×768, half scale
    const data = new Uint8Array(region.width * region.height);
    for (let y = 100; y < 200; y++) for (let x = 300; x < 500; x++) data[y * region.width + x] = 1; // image (2600..3000, 1200..1400)
    const mask: BinaryMask = { width: region.width, height: region.height, data };
    const { mask: shown } = pasteMask(mask, region, display);
    const [u, v] = toDisplayPoint(display, 2800, 1300).map(Math.floor) as [number, number];
    expect(shown.data[v * display.width + u]).toBe(1);
    const [u2, v2] = toDisplayPoint(display, 2500, 1300).map(Math.floor) as [number, number];
    expect(shown.data[v2 * display.width + u2]).toBe(0);
  });

  it('saves a focus mask of a large image at full size, in place, from its low-res logits at the region size', () => {
    const region = { x0: 3000, y0: 1000, width: 800, height: 600 }; // frame 1024×768: the low-res grid's cell is 4 frame px = 3.125 image px
    const low = new Float32Array(256 * 256).fill(-8);
    for (let v = 64; v < 128; v++) for (let u = 64; u < 128; u++) low[v * 256 + u] = 8; // frame (256..512)² → region (200..400)²
    const full = focusMaskAtFullSize(low, region, 6000, 4000);
    expect([full.width, full.height]).toEqual([6000, 4000]);
    expect(full.data[(1000 + 300) * 6000 + 3000 + 300]).toBe(1);
    expect(full.data[(1000 + 150) * 6000 + 3000 + 300]).toBe(0);
    expect(full.data[300 * 6000 + 300]).toBe(0); // nothing outside the region
    let area = 0;
    for (const v of full.data) area += v;
    expect(Math.abs(area - 200 * 200) / (200 * 200)).toBeLessThan(0.05);
  });
});
