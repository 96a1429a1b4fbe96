import type { MaskDto } from '@dataengine/contracts';
import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from './draft-store';
import { maskRows, NO_LABEL } from './mask-rows';

const CAR = { id: '00000000-0000-4000-8000-00000000000c', name: 'car', color: '#3cb44b' };
const TREE = { id: '00000000-0000-4000-8000-00000000000d', name: 'tree', color: '#2040e0' };
const seg = { size: [4, 4] as [number, number], counts: '16' };
const mask = (id: string, label: typeof CAR | null): MaskDto => ({
  id, imageId: 1, stage: 'assisted_manual', provenance: 'manual', segmentation: seg, bbox: [0, 0, 1, 1], area: 3, predictedIou: null, stabilityScore: null,
  pointCoords: null, checkpointId: null, authorId: null, activeMs: 1, clicks: 1, clientKey: null, labelId: label?.id ?? null, label, version: 2, createdAt: '', updatedAt: '',
});
const base = { imageId: 1, state: 'pending' as const, message: null };

describe('mask rows with labels', () => {
  it('show the server label, an unsent pick over it, and the label of an unsent save', () => {
    const outbox: OutboxEntry[] = [
      { ...base, kind: 'label', key: 'label-11', input: { maskId: '11', labelId: TREE.id } },
      { ...base, kind: 'save', key: 'new-00000001', input: { imageId: 1, segmentation: seg, activeMs: 1, clicks: 1, clientKey: 'new-00000001', labelId: CAR.id } },
    ];
    const rows = maskRows(1, [mask('10', CAR), mask('11', CAR), mask('12', null)], outbox, [CAR, TREE]);
    expect(rows.map((r) => [r.key, r.label?.name])).toEqual([
      ['10', 'car'],
      ['11', 'tree'],
      ['12', 'no label'],
      ['new-00000001', 'car'],
    ]);
    expect(rows[2]!.label).toBe(NO_LABEL);
  });

  it('leave masks of a class-agnostic project without any label, and trust the server for a label the list does not know yet', () => {
    expect(maskRows(1, [mask('10', null)], [], []).map((r) => r.label)).toEqual([null]);
    expect(maskRows(1, [mask('10', CAR)], [], [TREE])[0]!.label).toEqual(CAR);
  });
});
