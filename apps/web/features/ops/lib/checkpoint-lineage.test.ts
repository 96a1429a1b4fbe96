import type { CheckpointDto } from '@dataengine/contracts';
import { describe, expect, it } from 'vitest';
import { comparableMetrics, lineageRows } from './checkpoint-lineage';

const ck = (id: string, parentId: string | null, createdAt: string, extra: Partial<CheckpointDto> = {}): CheckpointDto => ({
  id,
  name: `ck-${id}`,
  status: 'candidate',
  parentId,
  projectId: null,
  bundleHash: id,
  manifest: {},
  metrics: null,
  createdAt,
  promotedAt: null,
  files: { manifest: '', encoder: '', decoder: '', detector: null },
  ...extra,
});

describe('lineageRows', () => {
  it('puts children under their parent, newest sibling first; unknown parents make roots', () => {
    const rows = lineageRows([ck('c', 'a', '2024-01-03'), ck('a', null, '2024-01-01'), ck('b', 'a', '2024-01-02'), ck('d', 'c', '2024-01-04'), ck('e', 'gone', '2024-01-05')]);
    expect(rows.map((r) => [r.checkpoint.id, r.depth, r.parentName])).toEqual([
      ['e', 0, 'gone'],
      ['a', 0, null],
      ['c', 1, 'ck-a'],
      ['d', 2, 'ck-c'],
      ['b', 1, 'ck-a'],
    ]);
  });
});

describe('comparableMetrics', () => {
  it('prefers an evaluate run, else reads the trainer\'s numbers from the manifest', () => {
    const evaluated = ck('x', null, '', { metrics: { training: { steps: 3 }, evaluation: { candidate: { miou1: 0.71, miou3: 0.8, miou5: 0.84, noc90: 4.2, boxAp50: 0.5 } } } });
    expect(comparableMetrics(evaluated)).toEqual({ miou1: 0.71, miou3: 0.8, miou5: 0.84, noc90: 4.2, ap50: 0.5, source: 'evaluate run' });
    const trained = ck('y', null, '', { manifest: { lineage: { metrics: { miou_1click: 0.33, miou_3click: 0.48, miou_5click: 0.58, box_ap50: 0.72 } } } });
    expect(comparableMetrics(trained)).toEqual({ miou1: 0.33, miou3: 0.48, miou5: 0.58, noc90: null, ap50: 0.72, source: 'trainer' });
    expect(comparableMetrics(ck('z', null, '')).source).toBeNull();
  });
});
