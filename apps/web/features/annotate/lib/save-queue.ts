// Sends the outbox to the API one entry at a time, in order. Saves are idempotent by clientKey, so
// an entry whose answer was lost is simply sent again. A stale version (409) keeps the user's work
// in the outbox, marked as a conflict, with the API's message.
import type { DraftStore, OutboxEntry } from './draft-store';

export interface OutboxApi {
  /** answers the saved mask (its id) */
  save(entry: Extract<OutboxEntry, { kind: 'save' }>): Promise<{ id: string }>;
  update(entry: Extract<OutboxEntry, { kind: 'update' }>): Promise<unknown>;
  delete(entry: Extract<OutboxEntry, { kind: 'delete' }>): Promise<unknown>;
  label(entry: Extract<OutboxEntry, { kind: 'label' }>): Promise<unknown>;
}

export interface FlushResult {
  sent: string[];
  /** Entries that need the user (conflict) or cannot succeed as they are (other 4xx). */
  held: string[];
  /** Set when sending stopped on a transient failure (network, 5xx); the rest waits for a retry. */
  stoppedBy: unknown;
}

export interface ErrorReading {
  status(error: unknown): number | null;
  message(error: unknown): string;
}

function send(api: OutboxApi, entry: OutboxEntry): Promise<unknown> {
  switch (entry.kind) {
    case 'save':
      return api.save(entry);
    case 'update':
      return api.update(entry);
    case 'delete':
      return api.delete(entry);
    case 'label':
      return api.label(entry);
  }
}

/**
 * A save whose label was changed while it was on its way (the entry was replaced meanwhile): the
 * saved mask gets the new label by a label entry in its place, so the pick is not lost.
 */
function relabelAfterSave(store: DraftStore, sent: Extract<OutboxEntry, { kind: 'save' }>, saved: unknown): boolean {
  const now = store.outbox().find((e) => e.key === sent.key);
  const id = typeof saved === 'object' && saved !== null ? (saved as { id?: unknown }).id : undefined;
  if (now?.kind !== 'save' || (now.input.labelId ?? null) === (sent.input.labelId ?? null) || typeof id !== 'string') return false;
  store.remove(sent.key);
  store.put({ kind: 'label', key: `label-${id}`, imageId: sent.imageId, state: 'pending', message: null, input: { maskId: id, labelId: now.input.labelId ?? null } });
  return true;
}

export async function flushOutbox(store: DraftStore, api: OutboxApi, errors: ErrorReading): Promise<FlushResult> {
  const result: FlushResult = { sent: [], held: [], stoppedBy: null };
  for (const entry of store.outbox()) {
    if (entry.state !== 'pending') {
      result.held.push(entry.key);
      continue;
    }
    try {
      const answer = await send(api, entry);
      if (!(entry.kind === 'save' && relabelAfterSave(store, entry, answer))) store.remove(entry.key);
      result.sent.push(entry.key);
    } catch (error) {
      const status = errors.status(error);
      // a deleted mask that is already gone is what the user wanted (and needs no label)
      if ((entry.kind === 'delete' || entry.kind === 'label') && status === 404) {
        store.remove(entry.key);
        result.sent.push(entry.key);
        continue;
      }
      if (status !== null && status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429) {
        store.put({ ...entry, state: status === 409 ? 'conflict' : 'failed', message: errors.message(error) });
        result.held.push(entry.key);
        continue;
      }
      result.stoppedBy = error; // offline, server down or session expired: keep everything, retry later
      break;
    }
  }
  return result;
}
