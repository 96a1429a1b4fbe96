'use client';
// The outbox as React state: accepted masks, touch-ups and deletions are written to the browser's
// storage first, then sent in order; transient failures are retried every few seconds and when the
// browser comes back online. Confirmed changes refresh the image's mask list.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage, errorStatus } from '../../lib/api-error';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { DraftStore, memoryStore, type OutboxEntry } from './lib/draft-store';
import { flushOutbox, type OutboxApi } from './lib/save-queue';

const RETRY_MS = 5_000;

function browserStore(): DraftStore {
  try {
    window.localStorage.setItem('dataengine.annotate.probe', '1');
    return new DraftStore(window.localStorage);
  } catch {
    return new DraftStore(memoryStore()); // storage disabled: still works, without reload safety
  }
}

export function useDraftStore(): DraftStore {
  return useMemo(browserStore, []);
}

export function useSaveQueue(store: DraftStore) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [entries, setEntries] = useState<OutboxEntry[]>(() => store.outbox());
  const [offline, setOffline] = useState<string | null>(null);
  const flushing = useRef<Promise<void> | null>(null);
  const flushRef = useRef<() => Promise<void>>(() => Promise.resolve());

  const api = useMemo<OutboxApi>(
    () => ({
      save: (e) => client.masks.save.mutate(e.input),
      update: (e) => client.masks.update.mutate(e.input),
      delete: (e) => client.masks.delete.mutate(e.input),
      label: (e) => client.masks.setLabel.mutate(e.input),
    }),
    [client],
  );

  const flush = useCallback((): Promise<void> => {
    // a change queued during a flush may not have been in its list: go again once it is done
    if (flushing.current) return flushing.current.then(() => flushRef.current());
    const run = (async () => {
      const before = store.outbox();
      const result = await flushOutbox(store, api, { status: errorStatus, message: errorMessage });
      setOffline(result.stoppedBy ? `not saved yet — ${errorMessage(result.stoppedBy)}; kept in this browser and retried` : null);
      const touched = new Set(before.filter((e) => result.sent.includes(e.key) || result.held.includes(e.key)).map((e) => e.imageId));
      // the lists are re-read before the sent entries leave the view: until then the outbox keeps
      // them applied (a deleted mask would otherwise come back for a moment from the stale list)
      await Promise.all([...touched].map((imageId) => queryClient.invalidateQueries(trpc.masks.list.queryFilter({ imageId }))));
      setEntries(store.outbox());
    })().finally(() => {
      flushing.current = null;
    });
    flushing.current = run;
    return run;
  }, [api, queryClient, store, trpc]);
  flushRef.current = flush;

  const enqueue = useCallback(
    (entry: OutboxEntry) => {
      setEntries(store.put(entry));
      void flush();
    },
    [flush, store],
  );

  const discard = useCallback((key: string) => setEntries(store.remove(key)), [store]);

  useEffect(() => {
    void flush();
    const timer = setInterval(() => {
      if (store.outbox().some((e) => e.state === 'pending')) void flush();
    }, RETRY_MS);
    const online = () => void flush();
    window.addEventListener('online', online);
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', online);
    };
  }, [flush, store]);

  return { entries, enqueue, discard, flush, offline };
}
