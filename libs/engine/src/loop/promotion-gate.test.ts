import { describe, expect, it } from 'vitest';
import { promotionVerdict } from './promotion-gate';

const m = (miou1: number | null, miou3: number | null, miou5: number | null) => ({ miou1, miou3, miou5 });

describe('promotionVerdict', () => {
  it('promotes a candidate better on average by the margin with no click count worse by more than it', () => {
    const v = promotionVerdict(m(0.5, 0.6, 0.7), m(0.45, 0.58, 0.69), 0.01);
    expect(v.promote).toBe(true);
    expect(v.meanGain).toBeCloseTo((0.05 + 0.02 + 0.01) / 3, 12);
  });

  it('refuses a candidate that wins at one click but loses at five', () => {
    const v = promotionVerdict(m(0.352, 0.45, 0.544), m(0.322, 0.44, 0.621), 0.01);
    expect(v.promote).toBe(false);
    expect(v.reason).toMatch(/^miou5 falls by 0\.0770, more than the margin 0\.01/);
  });

  it('refuses a gain below the margin, and everything when automatic promotion is off', () => {
    expect(promotionVerdict(m(0.5, 0.6, 0.7), m(0.499, 0.6, 0.7), 0.01)).toMatchObject({ promote: false });
    expect(promotionVerdict(m(0.9, 0.9, 0.9), m(0.1, 0.1, 0.1), null)).toMatchObject({ promote: false, reason: expect.stringMatching(/^automatic promotion is off/) });
  });

  it('compares only the click counts both checkpoints have, and nothing when none', () => {
    expect(promotionVerdict(m(0.6, null, null), m(0.5, 0.7, 0.8), 0.05)).toMatchObject({ promote: true, meanGain: expect.closeTo(0.1, 12) });
    expect(promotionVerdict(m(null, null, null), m(0.5, 0.5, 0.5), 0)).toMatchObject({ promote: false, meanGain: null });
  });

  it('with margin 0 promotes any non-regressing improvement', () => {
    expect(promotionVerdict(m(0.5, 0.5, 0.5), m(0.5, 0.5, 0.49), 0).promote).toBe(true);
    expect(promotionVerdict(m(0.6, 0.6, 0.49), m(0.5, 0.5, 0.5), 0).promote).toBe(false);
  });
});
