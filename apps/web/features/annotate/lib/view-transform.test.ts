import { describe, expect, it } from 'vitest';
import { clampToImage, fitImage, imageToScreen, MAX_SCALE, panBy, screenToImage, wheelZoomFactor, zoomAt } from './view-transform';

describe('view transform', () => {
  it('fits a large image centred in the viewport', () => {
    const t = fitImage({ width: 6000, height: 4000 }, { width: 1000, height: 800 }, 0);
    expect(t.scale).toBeCloseTo(1000 / 6000);
    expect(t.offsetX).toBeCloseTo(0);
    expect(t.offsetY).toBeCloseTo((800 - 4000 * t.scale) / 2);
  });

  it('maps screen ↔ image both ways', () => {
    const t = { scale: 2, offsetX: 10, offsetY: -4 };
    expect(screenToImage(t, ...imageToScreen(t, 123.5, 77))).toEqual([123.5, 77]);
  });

  it('zooms about the cursor: the image point under it stays put', () => {
    const t = { scale: 0.5, offsetX: 20, offsetY: 30 };
    const before = screenToImage(t, 300, 200);
    const z = zoomAt(t, 300, 200, 3);
    expect(z.scale).toBe(1.5);
    const after = screenToImage(z, 300, 200);
    expect(after[0]).toBeCloseTo(before[0]);
    expect(after[1]).toBeCloseTo(before[1]);
    expect(zoomAt(t, 0, 0, 1e6).scale).toBe(MAX_SCALE);
  });

  it('wheel up zooms in, down zooms out, symmetrically', () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100) * wheelZoomFactor(-100)).toBeCloseTo(1);
  });

  it('pans and clamps points into the image', () => {
    expect(panBy({ scale: 1, offsetX: 0, offsetY: 0 }, 5, -3)).toEqual({ scale: 1, offsetX: 5, offsetY: -3 });
    expect(clampToImage({ width: 100, height: 50 }, -3, 70)).toEqual([0, 49]);
  });
});
