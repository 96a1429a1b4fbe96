'use client';
// Active time of the mask being made and of the whole image (each pause counted up to the
// project's idle cap), and the gentle "move on" hint once one mask took more than 30 s of active time.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTRPC } from '../../lib/trpc';
import { activeMsAt, DEFAULT_IDLE_CAP_MS, newTimeTracker, recordActivity, SLOW_MASK_HINT_MS, type TimeTracker } from './lib/time-tracker';

const HINT_CHECK_MS = 1_000;

/** The cap a pause counts with in this project (its own, else the installation's). */
function useIdleCapMs(projectId: string | undefined): number {
  const trpc = useTRPC();
  const settings = useQuery(trpc.review.settings.queryOptions({ projectId: projectId ?? '' }, { enabled: Boolean(projectId), staleTime: 5 * 60_000 }));
  return settings.data ? settings.data.effectiveIdleCapSeconds * 1000 : DEFAULT_IDLE_CAP_MS;
}

export function useActivity(restoredMaskMs: number, projectId?: string) {
  const mask = useRef<TimeTracker>(newTimeTracker(restoredMaskMs));
  const image = useRef<TimeTracker>(newTimeTracker());
  const [slow, setSlow] = useState(false);
  const capMs = useRef(DEFAULT_IDLE_CAP_MS);
  capMs.current = useIdleCapMs(projectId);

  const record = useCallback(() => {
    const now = performance.now();
    mask.current = recordActivity(mask.current, now, capMs.current);
    image.current = recordActivity(image.current, now, capMs.current);
  }, []);

  useEffect(() => {
    const timer = setInterval(() => setSlow(activeMsAt(mask.current, performance.now(), capMs.current) > SLOW_MASK_HINT_MS), HINT_CHECK_MS);
    return () => clearInterval(timer);
  }, []);

  const maskMs = useCallback(() => Math.round(activeMsAt(mask.current, performance.now(), capMs.current)), []);
  const imageMs = useCallback(() => Math.round(activeMsAt(image.current, performance.now(), capMs.current)), []);
  const resetMask = useCallback(() => {
    // the time from accepting one mask to the first click on the next (finding it) counts for the next
    mask.current = { activeMs: 0, lastAt: performance.now() };
    setSlow(false);
  }, []);

  return { record, maskMs, imageMs, resetMask, slow };
}
