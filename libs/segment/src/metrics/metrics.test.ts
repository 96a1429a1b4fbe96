import { describe, expect, it } from 'vitest';
import { maskFromRows, randomMask, seededRandom, type MaskPattern } from '../rle/rle.test-helpers';
import type { BinaryMask } from '../rle/rle.types';
import { toyMask } from '../testing/toy-scene';
import {
  type Click,
  type InteractiveSegmenter,
  boxAp50,
  evaluateInteractive,
  farthestFromBoundary,
  firstClick,
  maskIou,
  nextClick,
  numberOfClicks,
  simulateClicks,
  squaredDistanceToBoundary,
} from './index';

describe('distance transform and click placement', () => {
  it('computes exact squared distances with the image border as boundary', () => {
    const m = maskFromRows(['11111', '11111', '11111', '11111', '11111']);
    const d = squaredDistanceToBoundary(m);
    expect(Array.from(d.slice(0, 5))).toEqual([1, 1, 1, 1, 1]);
    expect(d[2 * 5 + 2]).toBe(9);
    expect(d[1 * 5 + 1]).toBe(4);
    const brute = (x: number, y: number): number => {
      let best = Infinity;
      for (let yy = -1; yy <= 5; yy++) for (let xx = -1; xx <= 5; xx++) {
        const inside = xx >= 0 && yy >= 0 && xx < 5 && yy < 5 && m.data[yy * 5 + xx] === 1;
        if (!inside) best = Math.min(best, (xx - x) ** 2 + (yy - y) ** 2);
      }
      return best;
    };
    const ring = maskFromRows(['11111', '10001', '10101', '10001', '11111']);
    const dr = squaredDistanceToBoundary(ring);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) if (ring.data[y * 5 + x]) expect(dr[y * 5 + x]).toBe(Math.min(brute(x, y), 1));
    expect(farthestFromBoundary(m)).toEqual({ x: 2, y: 2, distance: 3 });
    expect(farthestFromBoundary(maskFromRows(['00', '00']))).toBeNull();
  });

  it('farthestFromBoundary on the bounding box equals the argmax over the whole image (random masks)', () => {
    const rand = seededRandom(17);
    const patterns: MaskPattern[] = ['blobs', 'noise', 'stripes', 'full', 'empty'];
    for (let t = 0; t < 60; t++) {
      const m = randomMask(rand, 5 + Math.floor(rand() * 40), 5 + Math.floor(rand() * 40), patterns[t % patterns.length]!);
      const d2 = squaredDistanceToBoundary(m);
      let best = -1;
      for (let i = 0; i < d2.length; i++) if (m.data[i] === 1 && (best < 0 || d2[i]! > d2[best]!)) best = i;
      const expected = best < 0 ? null : { x: best % m.width, y: Math.floor(best / m.width), distance: Math.sqrt(d2[best]!) };
      expect(farthestFromBoundary(m)).toEqual(expected);
    }
  });

  it('first click at the object centre; next click in the largest error region with its sign', () => {
    const gt = toyMask(40, 30, [{ kind: 'rect', x0: 5, y0: 5, x1: 25, y1: 25 }]);
    expect(firstClick(gt)).toEqual({ x: 14, y: 14, positive: true });
    // prediction misses the right half (FN 10×20) and spills 4×4 outside (FP)
    const pred = toyMask(40, 30, [{ kind: 'rect', x0: 5, y0: 5, x1: 15, y1: 25 }, { kind: 'rect', x0: 30, y0: 2, x1: 34, y1: 6 }]);
    // FN is x 15..24, y 5..24: distance 5 along x = 19 for y 9..19; first in raster order
    expect(nextClick(gt, pred)).toEqual({ x: 19, y: 9, positive: true });
    const spill = toyMask(40, 30, [{ kind: 'rect', x0: 5, y0: 5, x1: 25, y1: 25 }, { kind: 'rect', x0: 26, y0: 2, x1: 36, y1: 12 }]);
    expect(nextClick(gt, spill)).toMatchObject({ positive: false, x: 30, y: 6 });
    expect(nextClick(gt, gt)).toBeNull();
    expect(nextClick(gt, null)).toEqual(firstClick(gt));
  });
});

/** Reference interactive model: the previous mask (fed back) plus a disc per positive click minus a disc per negative one. */
class DiscClickModel implements InteractiveSegmenter<BinaryMask> {
  calls: { clicks: number; hadPrevious: boolean }[] = [];
  constructor(private readonly w: number, private readonly h: number, private readonly r: number) {}
  async predict(clicks: readonly Click[], previous: BinaryMask | null): Promise<{ mask: BinaryMask; lowRes: BinaryMask }> {
    this.calls.push({ clicks: clicks.length, hadPrevious: previous !== null });
    const last = clicks[clicks.length - 1]!;
    const disc = toyMask(this.w, this.h, [{ kind: 'disc', cx: last.x + 0.5, cy: last.y + 0.5, r: this.r }]);
    const data = previous ? previous.data.slice() : new Uint8Array(this.w * this.h);
    for (let i = 0; i < data.length; i++) if (disc.data[i]) data[i] = last.positive ? 1 : 0;
    const mask = { width: this.w, height: this.h, data };
    return { mask, lowRes: mask };
  }
}

describe('simulateClicks / NoC / mIoU', () => {
  it('feeds the previous low-res mask back and improves IoU', async () => {
    const gt = toyMask(64, 48, [{ kind: 'rect', x0: 8, y0: 8, x1: 56, y1: 40 }]);
    const model = new DiscClickModel(64, 48, 9);
    const sim = await simulateClicks(model, gt, 8);
    expect(sim.ious).toHaveLength(8);
    expect(model.calls[0]).toEqual({ clicks: 1, hadPrevious: false });
    expect(model.calls[1]).toEqual({ clicks: 2, hadPrevious: true });
    expect(sim.ious[7]!).toBeGreaterThan(sim.ious[0]!);
    expect(sim.ious[0]).toBe(maskIou(gt, toyMask(64, 48, [{ kind: 'disc', cx: 32.5, cy: 24.5, r: 9 }])));
  });

  it('numberOfClicks uses ≥ and caps at 20', () => {
    expect(numberOfClicks([0.5, 0.85, 0.9], 0.85)).toBe(2);
    expect(numberOfClicks([0.5, 0.85, 0.9], 0.9)).toBe(3);
    expect(numberOfClicks([0.5, 0.6], 0.9)).toBe(20);
  });

  it('evaluates mIoU@k and NoC over objects', async () => {
    const objects = [toyMask(32, 32, [{ kind: 'disc', cx: 16, cy: 16, r: 6 }]), toyMask(32, 32, [{ kind: 'rect', x0: 4, y0: 4, x1: 28, y1: 10 }])];
    const ev = await evaluateInteractive(new DiscClickModel(32, 32, 6.5), objects, [1, 3]);
    expect(ev.objects).toBe(2);
    expect(ev.miouAt[1]).toBeGreaterThan(0);
    expect(ev.miouAt[3]).toBeLessThanOrEqual(1);
    expect(ev.noc85).toBeLessThanOrEqual(ev.noc90);
  });
});

describe('box AP@0.5 (COCO 101-point)', () => {
  const gt = [
    { imageId: 1, box: [0, 0, 10, 10] as const },
    { imageId: 1, box: [20, 20, 30, 30] as const },
    { imageId: 2, box: [0, 0, 10, 10] as const },
  ];
  it('is 1 for perfect detections and ranks by score', () => {
    expect(boxAp50(gt.map((g) => ({ ...g, score: 0.9 })), gt)).toBeCloseTo(1, 12);
    // one false positive ranked first: precision 0 at rank 1, then 1/2, 2/3, 3/4 → monotone envelope 0.75
    const dets = [{ imageId: 2, box: [50, 50, 60, 60] as const, score: 0.99 }, ...gt.map((g) => ({ ...g, score: 0.5 }))];
    expect(boxAp50(dets, gt)).toBeCloseTo(0.75, 12);
    // IoU exactly 0.5 matches (≥); below does not
    expect(boxAp50([{ imageId: 1, box: [0, 0, 10, 5], score: 1 }], [gt[0]!])).toBeCloseTo(1, 12);
    expect(boxAp50([{ imageId: 1, box: [0, 0, 10, 4], score: 1 }], [gt[0]!])).toBe(0);
  });
  it('counts recall points: 2 of 3 found → 67 of 101 points at precision 1', () => {
    expect(boxAp50([{ ...gt[0]!, score: 1 }, { ...gt[2]!, score: 1 }], gt)).toBeCloseTo(67 / 101, 12);
    expect(boxAp50([], [])).toBeNaN();
  });
});
