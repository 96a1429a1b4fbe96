import type { CheckpointDto, CheckpointEvaluationDto, EvaluatedMetricsDto } from '@dataengine/contracts';
import { describe, expect, it } from 'vitest';
import { calibrationRows, comparisonRows, lineageRows, scopeGroups, trainerCard, verdictText } from './checkpoint-lineage';

const ck = (id: string, parentId: string | null, createdAt: string, extra: Partial<CheckpointDto> = {}): CheckpointDto => ({
  id,
  name: `ck-${id}`,
  status: 'candidate',
  parentId,
  projectId: null,
  projectName: null,
  bundleHash: id,
  manifest: {},
  metrics: null,
  evaluation: null,
  gate: null,
  createdAt,
  promotedAt: null,
  files: { manifest: '', encoder: '', decoder: '', detector: null },
  ...extra,
});

const metrics = (name: string, values: Partial<EvaluatedMetricsDto>): EvaluatedMetricsDto => ({
  checkpointId: name,
  name,
  miou1: null,
  miou3: null,
  miou5: null,
  noc90: null,
  boxAp50: null,
  boxMiou1: null,
  calibrationError: null,
  calibration: [],
  images: 12,
  objects: 180,
  ...values,
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

describe('scopeGroups', () => {
  it('groups by scope, global first, each with its active checkpoint; a parent in another scope is named', () => {
    const P = '11111111-1111-4111-8111-111111111111';
    const groups = scopeGroups([
      ck('r1', 'g0', '2024-01-02', { projectId: P, projectName: 'Shapes', status: 'active' }),
      ck('g0', null, '2024-01-01', { status: 'active' }),
      ck('r2', 'r1', '2024-01-03', { projectId: P, projectName: 'Shapes' }),
    ]);
    expect(groups.map((g) => [g.label, g.projectId, g.active?.id, g.rows.map((r) => [r.checkpoint.id, r.depth, r.parentName])])).toEqual([
      ['Global', null, 'g0', [['g0', 0, null]]],
      ['Shapes', P, 'r1', [['r1', 0, 'ck-g0'], ['r2', 1, 'ck-r1']]],
    ]);
  });
});

describe('an evaluation', () => {
  const evaluation: CheckpointEvaluationDto = {
    runId: 'run',
    at: '2024-01-01T00:00:00.000Z',
    projectId: null,
    set: { id: 'set:abc', images: 12, masks: 180, excludedImages: 0 },
    candidate: metrics('r2', { miou1: 0.62, miou3: 0.7, miou5: 0.7085, noc90: 9.1, calibrationError: 0.08, calibration: [{ lo: 0.8, hi: 0.9, count: 3, predicted: 0.85, actual: 0.7 }] }),
    baseline: metrics('r1', { miou1: 0.6, miou3: 0.7, miou5: 0.76, noc90: 8.5, calibrationError: 0.1, calibration: [{ lo: 0.8, hi: 0.9, count: 0, predicted: null, actual: null }] }),
    verdict: 'miou5 falls by 0.0515, more than the margin 0.01 (miou1 +0.0200, miou3 +0.0000, miou5 -0.0515)',
    gatePassed: false,
    decision: 'awaiting ops decision',
    nocMaxClicks: 20,
  };

  it('compares candidate and baseline metric by metric, lower-is-better where it is', () => {
    const rows = Object.fromEntries(comparisonRows(evaluation).map((r) => [r.key, r]));
    expect(rows['miou1']).toMatchObject({ candidate: 0.62, baseline: 0.6, outcome: 'better' });
    expect(rows['miou1']!.delta).toBeCloseTo(0.02, 12);
    expect(rows['miou3']!.outcome).toBe('same');
    expect(rows['miou5']!.outcome).toBe('worse');
    expect(rows['noc90']!.outcome).toBe('worse'); // more clicks
    // NoC is only comparable at one cap: the row names the evaluation's, and none where it was not recorded
    expect(rows['noc90']).toMatchObject({ label: 'NoC@90 (cap 20)', title: 'clicks to reach IoU 0.9, capped at 20: an object that never gets there counts 20' });
    expect(comparisonRows({ ...evaluation, nocMaxClicks: null }).find((r) => r.key === 'noc90')).toMatchObject({ label: 'NoC@90', title: 'clicks to reach IoU 0.9 (capped)' });
    expect(rows['calibrationError']!.outcome).toBe('better'); // smaller error
    expect(rows['boxAp50']).toMatchObject({ delta: null, outcome: null });
  });

  it('says the verdict and the decision in words, and lists the calibration bins that hold masks', () => {
    expect(verdictText(evaluation)).toBe('miou5 falls by 0.0515, more than the margin 0.01 (miou1 +0.0200, miou3 +0.0000, miou5 -0.0515); awaiting ops decision');
    expect(calibrationRows(evaluation.candidate, evaluation.baseline)).toEqual([
      { lo: 0.8, hi: 0.9, candidate: evaluation.candidate.calibration[0], baseline: evaluation.baseline.calibration[0] },
    ]);
  });
});

describe('trainerCard', () => {
  it("reads the trainer's own numbers from the manifest, nothing when there are none", () => {
    const trained = ck('y', null, '', { manifest: { lineage: { metrics: { miou_1click: 0.33, miou_3click: 0.48, miou_5click: 0.58, box_ap50: 0.72 } } } });
    expect(trainerCard(trained)).toEqual({ miou1: 0.33, miou3: 0.48, miou5: 0.58, ap50: 0.72 });
    expect(trainerCard(ck('z', null, ''))).toBeNull();
  });
});
