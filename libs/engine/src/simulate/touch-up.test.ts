import { describe, expect, it } from 'vitest';
import { maskIou, type BinaryMask } from '@dataengine/segment';
import { errorRegions, touchUpMask } from './touch-up';

const W = 40;
const H = 30;
const time = { secondsPerStroke: 2, secondsPerStrokePixel: 0.1 };

function mask(...rects: [x: number, y: number, w: number, h: number, value?: 0 | 1][]): BinaryMask {
  const data = new Uint8Array(W * H);
  for (const [x0, y0, w, h, v = 1] of rects) for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * W + x] = v;
  return { width: W, height: H, data };
}

// ground truth: a 20×20 square; the model missed a 10×10 corner of it (brush) and added a
// 5×5 square outside it (eraser)
const gt = mask([5, 5, 20, 20]);
const pred = mask([5, 5, 20, 20], [15, 15, 10, 10, 0], [30, 2, 5, 5]);

describe('brush/eraser touch-up', () => {
  it('finds the error regions with their value and perimeter', () => {
    const regions = errorRegions(gt, pred).map((r) => ({ area: r.pixels.length, value: r.value, perimeter: r.perimeter }));
    expect(regions.sort((a, b) => b.area - a.area)).toEqual([
      { area: 100, value: 1, perimeter: 40 },
      { area: 25, value: 0, perimeter: 20 },
    ]);
  });

  it('corrects every region when asked for the ground truth, charging a stroke and half the perimeter per region', () => {
    const t = touchUpMask(gt, pred, 1, time);
    expect(t.mask.data).toEqual(gt.data);
    expect(t.iou).toBe(1);
    expect([t.regions, t.strokePixels]).toEqual([2, 20 + 10]);
    expect(t.seconds).toBeCloseTo(2 * 2 + 30 * 0.1, 12);
    expect(pred.data[15 * W + 15]).toBe(0); // the model's mask is left as it was
  });

  it('stops once the target IoU is reached, largest region first', () => {
    expect(maskIou(gt, pred)).toBeCloseTo(300 / 425, 12);
    const t = touchUpMask(gt, pred, 0.9, time);
    expect([t.regions, t.strokePixels]).toEqual([1, 20]);
    expect(t.iou).toBeCloseTo(400 / 425, 12);
    expect(t.mask.data[32 + 3 * W]).toBe(1); // the small extra square is still there
    const none = touchUpMask(gt, pred, 0.7, time);
    expect([none.regions, none.seconds, none.iou]).toEqual([0, 0, maskIou(gt, pred)]);
  });

  it('joins diagonal neighbours (8-connectivity) but keeps missed and extra pixels apart', () => {
    const diagonal = mask([0, 0, 1, 1], [1, 1, 1, 1], [2, 0, 1, 1, 1]);
    const regions = errorRegions(mask(), diagonal);
    expect(regions).toHaveLength(1);
    expect(regions[0]!.pixels.length).toBe(3);
    // a missed pixel next to an extra one: two regions, one brush, one eraser
    const mixed = errorRegions(mask([10, 10, 1, 1]), mask([11, 10, 1, 1]));
    expect(mixed.map((r) => r.value).sort()).toEqual([0, 1]);
  });

  it('refuses masks of different sizes', () => {
    expect(() => touchUpMask(gt, { width: W, height: H - 1, data: new Uint8Array(W * (H - 1)) }, 1, time)).toThrow(RangeError);
  });
});
