'use client';
// A selection of a project's images picked in its grid, kept in the browser (per project) so a run
// form can use it ("use in a run"). Ids only; the server checks them when a run starts.
import { useCallback, useEffect, useState } from 'react';

const key = (projectId: string) => `dataengine.selection.${projectId}`;

/** Hand-picked tiles, at most (the run forms count them through a GET request); filters select more. */
export const MAX_PICKED_IMAGES = 500;
const EVENT = 'dataengine-selection';

export function readSavedSelection(projectId: string): number[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(key(projectId)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((n): n is number => Number.isInteger(n) && n > 0) : [];
  } catch {
    return [];
  }
}

function writeSavedSelection(projectId: string, ids: readonly number[]): void {
  try {
    if (ids.length === 0) window.localStorage.removeItem(key(projectId));
    else window.localStorage.setItem(key(projectId), JSON.stringify([...new Set(ids)].sort((a, b) => a - b)));
  } catch {
    // storage disabled: the selection lives as long as the page
  }
  window.dispatchEvent(new CustomEvent(EVENT, { detail: projectId }));
}

/** The project's saved selection, live across components (and tabs: the storage event). */
export function useSavedSelection(projectId: string) {
  const [ids, setIds] = useState<number[]>([]);
  useEffect(() => {
    if (!projectId) return;
    const load = () => setIds(readSavedSelection(projectId));
    load();
    window.addEventListener(EVENT, load);
    window.addEventListener('storage', load);
    return () => {
      window.removeEventListener(EVENT, load);
      window.removeEventListener('storage', load);
    };
  }, [projectId]);
  /** Picks or unpicks an image; false when the selection is full (MAX_PICKED_IMAGES). */
  const toggle = useCallback(
    (id: number): boolean => {
      const now = readSavedSelection(projectId);
      if (now.includes(id)) writeSavedSelection(projectId, now.filter((x) => x !== id));
      else if (now.length >= MAX_PICKED_IMAGES) return false;
      else writeSavedSelection(projectId, [...now, id]);
      return true;
    },
    [projectId],
  );
  const clear = useCallback(() => writeSavedSelection(projectId, []), [projectId]);
  return { ids, toggle, clear };
}
