import type { MaskDto } from '@dataengine/contracts';
import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from './draft-store';
import { maskRows } from './mask-rows';

const seg = (counts: string) => ({ size: [4, 4] as [number, number], counts });
const mask = (id: string, clientKey: string | null = null): MaskDto => ({
  id, imageId: 1, stage: 'assisted_manual', provenance: 'manual', segmentation: seg(`s${id}`), bbox: [0, 0, 1, 1], area: 3, predictedIou: null, stabilityScore: null,
  pointCoords: null, checkpointId: null, authorId: null, activeMs: 1, clicks: 1, clientKey, labelId: null, label: null, version: 2, createdAt: '', updatedAt: '',
});
const base = { imageId: 1, state: 'pending' as const, message: null };

describe('mask rows', () => {
  it('applies unsent saves, touch-ups and deletions to the server list', () => {
    const outbox: OutboxEntry[] = [
      { ...base, kind: 'save', key: 'new-00000001', input: { imageId: 1, segmentation: seg('n'), activeMs: 1, clicks: 1, clientKey: 'new-00000001' } },
      { ...base, kind: 'save', key: 'old-00000002', input: { imageId: 1, segmentation: seg('o'), activeMs: 1, clicks: 1, clientKey: 'old-00000002' } },
      { ...base, kind: 'update', key: 'u-00000003', state: 'conflict', message: 'stale', input: { maskId: '10', version: 2, segmentation: seg('u'), activeMs: 1, clicks: 1 } },
      { ...base, kind: 'delete', key: 'd-00000004', input: { maskId: '11', version: 2 } },
      { ...base, imageId: 2, kind: 'delete', key: 'd-00000005', input: { maskId: '10', version: 2 } },
    ];
    const rows = maskRows(1, [mask('10'), mask('11'), mask('12', 'old-00000002')], outbox);
    expect(rows.map((r) => [r.key, r.sync, r.segmentation.counts])).toEqual([
      ['10', 'conflict', 'u'],
      ['12', 'saved', 's12'],
      ['new-00000001', 'pending', 'n'],
    ]);
    expect(rows[0]!.message).toBe('stale');
  });
});
