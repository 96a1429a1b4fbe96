import { describe, expect, it } from 'vitest';
import { promotionGateOf, readEvaluation } from './promotion-decision';

const metrics = (checkpointId: string, miou1: number) => ({ checkpointId, name: checkpointId, miou1, miou3: 0.7, miou5: 0.75, noc90: 9, boxAp50: null, boxMiou1: 0.6, calibrationError: 0.1, calibration: [], images: 12, objects: 180 });
const evaluation = (baselineId: string, gatePassed: boolean) => ({
  runId: 'r',
  at: '2026-01-01T00:00:00.000Z',
  projectId: null,
  set: { id: 'set:aaaaaaaaaaaa', images: 12, masks: 180, excludedImages: 0 },
  candidate: metrics('cand', 0.6),
  baseline: metrics(baselineId, 0.5),
  verdict: gatePassed ? 'mean mIoU gain 0.1000 ≥ margin 0.01' : 'miou5 falls by 0.0515, more than the margin 0.01',
  gatePassed,
  decision: gatePassed ? 'promoted' : 'awaiting ops decision',
  margin: 0.01,
  nocMaxClicks: 8,
});
const active = { id: 'base', name: 'base' };
const candidate = (metricsJson: unknown) => ({ status: 'candidate' as const, name: 'cand', metrics: metricsJson as never });

describe('promotionGateOf', () => {
  it('passes only a candidate the gate passed against the checkpoint it would replace now', () => {
    expect(promotionGateOf(candidate({ evaluation: evaluation('base', true) }), active)).toEqual({ passed: true, reason: 'mean mIoU gain 0.1000 ≥ margin 0.01' });
    expect(promotionGateOf(candidate({ evaluation: evaluation('base', false) }), active)).toEqual({ passed: false, reason: 'miou5 falls by 0.0515, more than the margin 0.01' });
    expect(promotionGateOf(candidate({ evaluation: evaluation('older', true) }), active)).toEqual({ passed: false, reason: 'it was evaluated against older, but base is active in its scope now; evaluate it again' });
    expect(promotionGateOf(candidate({ training: { steps: 3 } }), active)!.reason).toMatch(/^not evaluated/);
    expect(promotionGateOf({ ...candidate(null), status: 'active' }, active)).toBeNull();
  });

  it('reads evaluations recorded before sets were: their set is unknown, so promoting them needs an override', () => {
    const legacy = { runId: 'r', at: 'x', heldOut: 'images uploaded as val', images: 2, candidate: { checkpointId: 'cand', name: 'c', miou1: 0.6, miou3: 0.7, miou5: 0.8, noc85: 2, noc90: 3, boxAp50: null, images: 2, objects: 6, msPerImage: 9 }, baseline: { checkpointId: 'base', name: 'b', miou1: 0.5, miou3: 0.6, miou5: 0.7, noc85: 2, noc90: 3, boxAp50: null, images: 2, objects: 6, msPerImage: 9 }, verdict: 'v' };
    const read = readEvaluation({ evaluation: legacy })!;
    expect(read).toMatchObject({ set: null, gatePassed: false, decision: null, nocMaxClicks: null, candidate: { miou1: 0.6, boxMiou1: null, calibration: [] } });
    expect(readEvaluation({ evaluation: evaluation('base', true) })!.nocMaxClicks).toBe(8);
    expect(promotionGateOf(candidate({ evaluation: legacy }), active)!.reason).toMatch(/predates them/);
    expect(readEvaluation({ evaluation: { candidate: { miou1: 0.5 } } })).toBeNull();
    expect(readEvaluation(null)).toBeNull();
  });
});
