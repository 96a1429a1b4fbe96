import { describe, expect, it } from 'vitest';
import { activeMsAt, DEFAULT_IDLE_CAP_MS, newTimeTracker, recordActivity } from './time-tracker';

describe('time tracker', () => {
  it('adds the gaps between actions and counts a pause longer than the cap as the cap (30 s by default)', () => {
    expect(DEFAULT_IDLE_CAP_MS).toBe(30_000);
    let t = newTimeTracker();
    for (const at of [1_000, 2_000, 4_500, 20_000, 21_000, 121_000, 122_000]) t = recordActivity(t, at);
    // 15.5 s of thinking counts in full; the 100 s pause counts as 30 s
    expect(t.activeMs).toBe(1_000 + 2_500 + 15_500 + 1_000 + 30_000 + 1_000);
  });

  it('takes the project\'s own cap', () => {
    let t = newTimeTracker();
    for (const at of [0, 5_000, 65_000]) t = recordActivity(t, at, 12_000);
    expect(t.activeMs).toBe(5_000 + 12_000);
  });

  it('starts counting at the first action and counts the running interval up to the cap', () => {
    const t = recordActivity(newTimeTracker(), 10_000);
    expect(t.activeMs).toBe(0);
    expect(activeMsAt(t, 13_000)).toBe(3_000);
    expect(activeMsAt(t, 16_000)).toBe(6_000);
    expect(activeMsAt(t, 100_000)).toBe(30_000);
    expect(activeMsAt(t, 100_000, 12_000)).toBe(12_000);
    expect(activeMsAt(newTimeTracker(250), 99)).toBe(250);
  });

  it('resumes from restored time (a draft after reload) and ignores clocks running backwards', () => {
    let t = newTimeTracker(7_000);
    t = recordActivity(t, 5_000);
    t = recordActivity(t, 4_000);
    t = recordActivity(t, 4_500);
    expect(t.activeMs).toBe(7_500);
  });
});
