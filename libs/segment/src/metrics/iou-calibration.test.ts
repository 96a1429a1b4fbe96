import { describe, expect, it } from 'vitest';
import { calibrationBins, calibrationError } from './iou-calibration';

describe('calibrationBins', () => {
  it('bins masks by predicted IoU with the mean predicted and true IoU of each bin', () => {
    const bins = calibrationBins([
      { predicted: 0.05, actual: 0.2 },
      { predicted: 0.92, actual: 0.8 },
      { predicted: 0.98, actual: 0.9 },
      { predicted: 0.5, actual: 0.5 },
    ]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ lo: 0, hi: 0.1, count: 1, predicted: 0.05, actual: 0.2 });
    expect(bins[5]).toMatchObject({ count: 1, predicted: 0.5, actual: 0.5 });
    expect(bins[9]!.count).toBe(2);
    expect(bins[9]!.predicted).toBeCloseTo(0.95, 12);
    expect(bins[9]!.actual).toBeCloseTo(0.85, 12);
    expect(bins[3]).toMatchObject({ count: 0, predicted: null, actual: null });
    expect(bins[3]!.lo).toBeCloseTo(0.3, 12);
  });

  it('counts 1.0 in the last bin and out-of-range predictions in the nearest end bin; skips NaN', () => {
    const bins = calibrationBins([{ predicted: 1, actual: 1 }, { predicted: 1.3, actual: 0.7 }, { predicted: -0.2, actual: 0 }, { predicted: NaN, actual: 1 }], 4);
    expect(bins.map((b) => b.count)).toEqual([1, 0, 0, 2]);
    expect(bins[3]).toMatchObject({ lo: 0.75, hi: 1, predicted: 1.15, actual: 0.85 });
    expect(() => calibrationBins([], 0)).toThrow(RangeError);
  });

  it('calibrationError is the mean |predicted − true IoU|', () => {
    expect(calibrationError([{ predicted: 0.9, actual: 0.7 }, { predicted: 0.5, actual: 0.6 }])).toBeCloseTo(0.15, 12);
    expect(calibrationError([])).toBeNaN();
  });
});
