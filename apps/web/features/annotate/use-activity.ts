'use client';
// Active time of the mask being made and of the whole image (idle gaps excluded), and the gentle
// "move on" hint once one mask took more than 30 s of active time.
import { useCallback, useEffect, useRef, useState } from 'react';
import { activeMsAt, newTimeTracker, recordActivity, SLOW_MASK_HINT_MS, type TimeTracker } from './lib/time-tracker';

const HINT_CHECK_MS = 1_000;

export function useActivity(restoredMaskMs: number) {
  const mask = useRef<TimeTracker>(newTimeTracker(restoredMaskMs));
  const image = useRef<TimeTracker>(newTimeTracker());
  const [slow, setSlow] = useState(false);

  const record = useCallback(() => {
    const now = performance.now();
    mask.current = recordActivity(mask.current, now);
    image.current = recordActivity(image.current, now);
  }, []);

  useEffect(() => {
    const timer = setInterval(() => setSlow(activeMsAt(mask.current, performance.now()) > SLOW_MASK_HINT_MS), HINT_CHECK_MS);
    return () => clearInterval(timer);
  }, []);

  const maskMs = useCallback(() => Math.round(activeMsAt(mask.current, performance.now())), []);
  const imageMs = useCallback(() => Math.round(activeMsAt(image.current, performance.now())), []);
  const resetMask = useCallback(() => {
    // the time from accepting one mask to the first click on the next (finding it) counts for the next
    mask.current = { activeMs: 0, lastAt: performance.now() };
    setSlow(false);
  }, []);

  return { record, maskMs, imageMs, resetMask, slow };
}
