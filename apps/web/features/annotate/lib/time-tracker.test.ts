import { describe, expect, it } from 'vitest';
import { activeMsAt, newTimeTracker, recordActivity } from './time-tracker';

describe('time tracker', () => {
  it('adds the gaps between actions and leaves out idle gaps over 5 s', () => {
    let t = newTimeTracker();
    for (const at of [1_000, 2_000, 4_500, 20_000, 21_000]) t = recordActivity(t, at);
    expect(t.activeMs).toBe(1_000 + 2_500 + 1_000); // 4.5 → 20 s was idle
  });

  it('starts counting at the first action and counts the running interval until it goes idle', () => {
    const t = recordActivity(newTimeTracker(), 10_000);
    expect(t.activeMs).toBe(0);
    expect(activeMsAt(t, 13_000)).toBe(3_000);
    expect(activeMsAt(t, 16_000)).toBe(0);
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
