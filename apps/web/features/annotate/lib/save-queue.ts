// Sends the outbox to the API one entry at a time, in order. Saves are idempotent by clientKey, so
// an entry whose answer was lost is simply sent again. A stale version (409) keeps the user's work
// in the outbox, marked as a conflict, with the API's message.
import type { DraftStore, OutboxEntry } from './draft-store';

export interface OutboxApi {
  save(entry: Extract<OutboxEntry, { kind: 'save' }>): Promise<unknown>;
  update(entry: Extract<OutboxEntry, { kind: 'update' }>): Promise<unknown>;
  delete(entry: Extract<OutboxEntry, { kind: 'delete' }>): Promise<unknown>;
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
  }
}

export async function flushOutbox(store: DraftStore, api: OutboxApi, errors: ErrorReading): Promise<FlushResult> {
  const result: FlushResult = { sent: [], held: [], stoppedBy: null };
  for (const entry of store.outbox()) {
    if (entry.state !== 'pending') {
      result.held.push(entry.key);
      continue;
    }
    try {
      await send(api, entry);
      store.remove(entry.key);
      result.sent.push(entry.key);
    } catch (error) {
      const status = errors.status(error);
      // a deleted mask that is already gone is what the user wanted
      if (entry.kind === 'delete' && status === 404) {
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
