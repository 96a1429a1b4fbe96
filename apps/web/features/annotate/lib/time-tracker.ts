// Active annotation time (SAM-SPEC.md §6.1: time per mask): the sum of the gaps between
// consecutive user actions, each counted up to a cap. A longer pause counts as the cap — capped,
// not dropped, so the thinking before a hard mask is not lost, while a coffee break adds no more
// than the cap. The cap is the project's (review.settings: its own, or IDLE_GAP_CAP_SECONDS).

/** The installation's default cap (IDLE_GAP_CAP_SECONDS, 30 s) until the project's is known. */
export const DEFAULT_IDLE_CAP_MS = 30_000;

export interface TimeTracker {
  /** Active milliseconds so far. */
  activeMs: number;
  /** Time of the last action, or null before the first one. */
  lastAt: number | null;
}

export const newTimeTracker = (activeMs = 0): TimeTracker => ({ activeMs, lastAt: null });

/** Records one user action at `now` (ms). */
export function recordActivity(t: TimeTracker, now: number, idleCapMs = DEFAULT_IDLE_CAP_MS): TimeTracker {
  if (t.lastAt === null || now < t.lastAt) return { activeMs: t.activeMs, lastAt: now };
  return { activeMs: t.activeMs + Math.min(now - t.lastAt, idleCapMs), lastAt: now };
}

/** Active time including the running interval up to `now` (counted up to the cap). */
export function activeMsAt(t: TimeTracker, now: number, idleCapMs = DEFAULT_IDLE_CAP_MS): number {
  if (t.lastAt === null) return t.activeMs;
  const gap = now - t.lastAt;
  return gap < 0 ? t.activeMs : t.activeMs + Math.min(gap, idleCapMs);
}

/** The paper's rule of thumb: annotators moved on once a mask took more than 30 s (§6.1). */
export const SLOW_MASK_HINT_MS = 30_000;
