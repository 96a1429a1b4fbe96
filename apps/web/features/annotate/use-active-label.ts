'use client';
// The label new masks get in this project: the one last picked (kept in the browser per project,
// so the next image and the next visit start with it), else the set's first; null for none.
import type { LabelDto } from '@dataengine/contracts';
import { useCallback, useMemo, useState } from 'react';
import { memoryStore, type KeyValueStore } from './lib/draft-store';
import { rememberedLabel, rememberLabel } from './lib/label-keys';

function browserStore(): KeyValueStore {
  try {
    window.localStorage.getItem('dataengine.annotate.probe');
    return window.localStorage;
  } catch {
    return memoryStore(); // storage disabled: remembered for this page only
  }
}

export function useActiveLabel(projectId: string, labels: readonly LabelDto[]): [string | null, (labelId: string | null) => void] {
  const store = useMemo(browserStore, []);
  const [picked, setPicked] = useState(0); // bumps when a label is picked, to read the store again
  const active = useMemo(() => {
    void picked;
    return rememberedLabel(store, projectId, labels);
  }, [store, projectId, labels, picked]);
  const pick = useCallback(
    (labelId: string | null) => {
      rememberLabel(store, projectId, labelId);
      setPicked((n) => n + 1);
    },
    [store, projectId],
  );
  return [active, pick];
}
