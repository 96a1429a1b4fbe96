import { describe, expect, it } from 'vitest';
import { DraftStore, memoryStore, type Draft, type OutboxEntry } from './draft-store';
import { flushOutbox, type OutboxApi } from './save-queue';

class StatusError extends Error {
  constructor(readonly status: number | null) {
    super(`status ${status}`);
  }
}
const errors = { status: (e: unknown) => (e instanceof StatusError ? e.status : null), message: (e: unknown) => (e as Error).message };
const seg = { size: [2, 2] as [number, number], counts: '04' };
const save = (key: string): OutboxEntry => ({ kind: 'save', key, imageId: 1, state: 'pending', message: null, input: { imageId: 1, segmentation: seg, activeMs: 10, clicks: 1, clientKey: key } });
const update = (key: string): OutboxEntry => ({ kind: 'update', key, imageId: 1, state: 'pending', message: null, input: { maskId: '7', version: 1, segmentation: seg, activeMs: 5, clicks: 1 } });

function api(fail: Partial<Record<OutboxEntry['kind'], number | null>>, calls: string[]): OutboxApi {
  const go = (kind: OutboxEntry['kind']) => async (e: OutboxEntry) => {
    calls.push(`${kind}:${e.key}`);
    if (kind in fail) throw new StatusError(fail[kind] ?? null);
  };
  return { save: async (e) => (await go('save')(e), { id: `id-${e.key}` }), update: go('update'), delete: go('delete'), label: go('label') };
}

describe('draft store', () => {
  it('keeps a draft per image and survives junk in storage', () => {
    const kv = memoryStore();
    const store = new DraftStore(kv);
    const draft: Draft = { clientKey: 'k-12345678', editing: null, prompts: { points: [{ x: 1, y: 2, label: 1 }], box: null, strokes: [] }, candidate: 1, mask: null, clicks: 1, activeMs: 900 };
    store.saveDraft(3, draft);
    expect(store.loadDraft(3)).toEqual(draft);
    expect(store.loadDraft(4)).toBeNull();
    store.clearDraft(3);
    expect(store.loadDraft(3)).toBeNull();
    kv.setItem('dataengine.annotate.draft.5', '{not json');
    expect(store.loadDraft(5)).toBeNull();
    kv.setItem('dataengine.annotate.outbox', JSON.stringify([{ kind: 'nope' }]));
    expect(store.outbox()).toEqual([]);
  });

  it('replaces outbox entries by key', () => {
    const store = new DraftStore(memoryStore());
    store.put(save('a-00000001'));
    store.put({ ...save('a-00000001'), state: 'failed', message: 'x' });
    expect(store.outbox()).toHaveLength(1);
    expect(store.outbox()[0]!.state).toBe('failed');
  });
});

describe('flushing the outbox', () => {
  it('sends entries in order and removes each one the API confirmed', async () => {
    const store = new DraftStore(memoryStore());
    store.put(save('a-00000001'));
    store.put(update('b-00000002'));
    const calls: string[] = [];
    const r = await flushOutbox(store, api({}, calls), errors);
    expect(calls).toEqual(['save:a-00000001', 'update:b-00000002']);
    expect(r.sent).toHaveLength(2);
    expect(store.outbox()).toEqual([]);
  });

  it('stops on a network failure and keeps everything for the next try', async () => {
    const store = new DraftStore(memoryStore());
    store.put(save('a-00000001'));
    store.put(save('b-00000002'));
    const calls: string[] = [];
    const r = await flushOutbox(store, api({ save: null }, calls), errors);
    expect(calls).toEqual(['save:a-00000001']);
    expect(r.stoppedBy).toBeInstanceOf(StatusError);
    expect(store.outbox().map((e) => e.state)).toEqual(['pending', 'pending']);
    // 401 (expired session) is also transient: it is sent again after logging in
    await flushOutbox(store, api({ save: 401 }, []), errors);
    expect(store.outbox()).toHaveLength(2);
  });

  it('holds a stale update as a conflict with the API message and goes on with the rest', async () => {
    const store = new DraftStore(memoryStore());
    store.put(update('b-00000002'));
    store.put(save('a-00000001'));
    const calls: string[] = [];
    const r = await flushOutbox(store, api({ update: 409 }, calls), errors);
    expect(r.held).toEqual(['b-00000002']);
    expect(r.sent).toEqual(['a-00000001']);
    expect(store.outbox()).toEqual([expect.objectContaining({ key: 'b-00000002', state: 'conflict', message: 'status 409' })]);
    // held entries are not re-sent until the user decides
    const again: string[] = [];
    await flushOutbox(store, api({}, again), errors);
    expect(again).toEqual([]);
  });

  it('treats deleting an already deleted mask as done', async () => {
    const store = new DraftStore(memoryStore());
    store.put({ kind: 'delete', key: 'd-00000003', imageId: 1, state: 'pending', message: null, input: { maskId: '7', version: 2 } });
    await flushOutbox(store, api({ delete: 404 }, []), errors);
    expect(store.outbox()).toEqual([]);
  });
});
