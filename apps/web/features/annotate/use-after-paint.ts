'use client';
// Work that must not hold up the frame a click's mask is drawn in (the draft write: the masks
// encoded and put in localStorage, several milliseconds on a large image) runs once that frame is
// out. A newer call replaces a pending one (only the latest state is worth writing); a pending one
// runs at once when the component unmounts or the page goes away (a reload, a closed tab), so
// nothing is lost.
import { useCallback, useEffect, useRef } from 'react';

interface Pending {
  work: () => void;
  frame: number;
  timer: ReturnType<typeof setTimeout> | null;
}

function cancel(p: Pending): void {
  cancelAnimationFrame(p.frame);
  if (p.timer !== null) clearTimeout(p.timer);
}

export function useAfterPaint(): (work: () => void) => void {
  const pending = useRef<Pending | null>(null);
  const flush = useCallback(() => {
    const p = pending.current;
    pending.current = null;
    if (!p) return;
    cancel(p);
    p.work();
  }, []);
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [flush]);
  return useCallback(
    (work: () => void) => {
      if (pending.current) cancel(pending.current);
      const p: Pending = { work, frame: 0, timer: null };
      // the frame callback runs before that frame is painted; the task after it, once it is
      p.frame = requestAnimationFrame(() => (p.timer = setTimeout(flush, 0)));
      pending.current = p;
    },
    [flush],
  );
}
