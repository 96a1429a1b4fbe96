// Active annotation time (SAM-SPEC.md §6.1: time per mask): the sum of gaps between consecutive
// user actions, where a gap longer than IDLE_GAP_MS counts as a pause and adds nothing.

/** A gap between two actions longer than this is idle time (the brief: > 5 s is excluded). */
export const IDLE_GAP_MS = 5_000;

export interface TimeTracker {
  /** Active milliseconds so far. */
  activeMs: number;
  /** Time of the last action, or null before the first one. */
  lastAt: number | null;
}

export const newTimeTracker = (activeMs = 0): TimeTracker => ({ activeMs, lastAt: null });

/** Records one user action at `now` (ms). */
export function recordActivity(t: TimeTracker, now: number, idleGapMs = IDLE_GAP_MS): TimeTracker {
  if (t.lastAt === null || now < t.lastAt) return { activeMs: t.activeMs, lastAt: now };
  const gap = now - t.lastAt;
  return { activeMs: gap > idleGapMs ? t.activeMs : t.activeMs + gap, lastAt: now };
}

/** Active time including the running interval up to `now`, if it is not idle yet. */
export function activeMsAt(t: TimeTracker, now: number, idleGapMs = IDLE_GAP_MS): number {
  if (t.lastAt === null) return t.activeMs;
  const gap = now - t.lastAt;
  return gap > idleGapMs || gap < 0 ? t.activeMs : t.activeMs + gap;
}

/** The paper's rule of thumb: annotators moved on once a mask took more than 30 s (§6.1). */
export const SLOW_MASK_HINT_MS = 30_000;
