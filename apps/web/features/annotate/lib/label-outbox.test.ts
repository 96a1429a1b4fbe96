// Label picks go through the outbox like every other change: a saved mask's new label is a
// `label` entry (the last pick per mask wins), and a pick made while the mask's save was on its way
// becomes a label entry for the saved mask instead of being lost.
import { describe, expect, it } from 'vitest';
import { DraftStore, memoryStore, type OutboxEntry } from './draft-store';
import { flushOutbox, type OutboxApi } from './save-queue';

const errors = { status: (e: unknown) => (e as { status?: number }).status ?? null, message: (e: unknown) => (e as Error).message };
const seg = { size: [2, 2] as [number, number], counts: '04' };
const CAR = '00000000-0000-4000-8000-00000000000c';
const PERSON = '00000000-0000-4000-8000-00000000000b';
const save = (key: string, labelId: string | null): Extract<OutboxEntry, { kind: 'save' }> => ({ kind: 'save', key, imageId: 1, state: 'pending', message: null, input: { imageId: 1, segmentation: seg, activeMs: 10, clicks: 1, clientKey: key, labelId } });

function recordingApi(calls: string[], during?: () => void): OutboxApi {
  return {
    save: async (e) => {
      calls.push(`save:${e.key}:${e.input.labelId}`);
      during?.();
      return { id: '42' };
    },
    update: async () => undefined,
    delete: async () => undefined,
    label: async (e) => {
      calls.push(`label:${e.input.maskId}:${e.input.labelId}`);
      if (e.input.maskId === 'gone') throw Object.assign(new Error('gone'), { status: 404 });
    },
  };
}

describe('labels in the outbox', () => {
  it('sends a saved mask\'s label change; the last pick per mask replaces an unsent one; a deleted mask needs none', async () => {
    const store = new DraftStore(memoryStore());
    const label = (maskId: string, labelId: string | null): OutboxEntry => ({ kind: 'label', key: `label-${maskId}`, imageId: 1, state: 'pending', message: null, input: { maskId, labelId } });
    store.put(label('7', 'car'));
    store.put(label('7', 'person'));
    store.put(label('gone', null));
    const calls: string[] = [];
    const result = await flushOutbox(store, recordingApi(calls), errors);
    expect(calls).toEqual(['label:7:person', 'label:gone:null']);
    expect(result.sent).toEqual(['label-7', 'label-gone']);
    expect(store.outbox()).toEqual([]);
  });

  it('a label picked while the save was on its way is sent for the saved mask afterwards', async () => {
    const store = new DraftStore(memoryStore());
    store.put(save('k-00000001', CAR));
    const calls: string[] = [];
    await flushOutbox(store, recordingApi(calls, () => store.put(save('k-00000001', PERSON))), errors);
    expect(calls).toEqual([`save:k-00000001:${CAR}`]);
    expect(store.outbox()).toEqual([{ kind: 'label', key: 'label-42', imageId: 1, state: 'pending', message: null, input: { maskId: '42', labelId: PERSON } }]);
    await flushOutbox(store, recordingApi(calls), errors);
    expect(calls).toEqual([`save:k-00000001:${CAR}`, `label:42:${PERSON}`]);
    expect(store.outbox()).toEqual([]);
  });
});
