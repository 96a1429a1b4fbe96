'use client';
// The active checkpoint, kept current by the API's server-sent events (`checkpoint.activated` on
// /api/events) instead of polling: a promotion re-reads checkpoints.active at once, and the SAM
// worker switches decoder and embeddings without a reload. EventSource reconnects by itself; on
// every (re)connect the checkpoint is read again, so a promotion missed while offline still lands.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '../../lib/trpc';

export const EVENTS_URL = '/api/events';
/** How long the "switched to a new model" toast stays up. */
const TOAST_MS = 15_000;

interface CheckpointActivated {
  type: 'checkpoint.activated';
  checkpointId: string;
  name: string;
  projectId: string | null;
}

export function useActiveCheckpoint(projectId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const checkpoint = useQuery(trpc.checkpoints.active.queryOptions({ projectId }));

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(EVENTS_URL);
    const reread = () => void queryClient.invalidateQueries(trpc.checkpoints.active.queryFilter({ projectId }));
    const onActivated = (e: MessageEvent<string>) => {
      const event = JSON.parse(e.data) as CheckpointActivated;
      // a project's own checkpoint, or a global one (which a project without its own uses)
      if (event.projectId === null || event.projectId === projectId) reread();
    };
    source.addEventListener('checkpoint.activated', onActivated as EventListener);
    source.addEventListener('open', reread);
    return () => source.close();
  }, [projectId, queryClient, trpc]);

  return checkpoint;
}

/** The toast: set when the active checkpoint changes while the tool is open, cleared after a while. */
export function useModelSwitchToast(checkpointId: string | null, name: string | null): { name: string; checkpointId: string } | null {
  const first = useRef<string | null>(null);
  const [toast, setToast] = useState<{ name: string; checkpointId: string } | null>(null);
  useEffect(() => {
    if (!checkpointId) return;
    if (first.current === null) first.current = checkpointId;
    else if (checkpointId !== first.current) {
      first.current = checkpointId;
      setToast({ name: name ?? 'a new model', checkpointId });
    }
  }, [checkpointId, name]);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);
  return toast;
}
