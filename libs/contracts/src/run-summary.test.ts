import { describe, expect, it } from 'vitest';
import { describeRunResult, runHasErrors, type RunSummaryInput } from './run-summary';

const autogen = (counts: Record<string, number>, extra: Partial<RunSummaryInput> = {}): RunSummaryInput => ({
  kind: 'autogen', status: 'succeeded', total: 2, done: 2, failed: 0,
  result: { counts, thresholds: { predIouThresh: 0.88, stabilityScoreThresh: 0.95 } }, ...extra,
});

describe('describeRunResult', () => {
  it('names the dominant reason when an autogen run kept nothing, and what to do', () => {
    expect(describeRunResult(autogen({ masks: 0, candidates: 96, 'dropped.predIou': 96 }))).toBe(
      '0 masks kept: predicted IoU below 0.88 on every candidate — lower the thresholds (predIouThresh, stabilityScoreThresh) or use a better checkpoint.',
    );
    expect(describeRunResult(autogen({ masks: 0, candidates: 96, 'dropped.predIou': 30, 'dropped.stability': 60, 'dropped.boxNms': 6 }))).toBe(
      '0 masks kept: 60 of 96 candidates had a stability score below 0.95; of the rest 30 had a predicted IoU below 0.88, 6 overlapped a better mask — lower the thresholds (predIouThresh, stabilityScoreThresh) or use a better checkpoint.',
    );
    expect(describeRunResult(autogen({ masks: 0, candidates: 9, 'dropped.duplicates': 9 }))).toBe('0 masks added: every mask duplicated a manual or pre-filled mask already on its image — nothing new to add there.');
    expect(describeRunResult(autogen({ masks: 0, candidates: 0 }))).toMatch(/^0 masks kept: the generator produced no candidates on 2 images/);
  });

  it('counts what a run kept, and says when items failed', () => {
    expect(describeRunResult(autogen({ masks: 12, imagesWithMasks: 2, candidates: 96, 'dropped.predIou': 80, 'dropped.boxNms': 4 }))).toBe(
      '12 automatic masks kept on 2 images (of 96 candidates: 80 had a predicted IoU below 0.88, 4 overlapped a better mask).',
    );
    expect(describeRunResult(autogen({ masks: 3, imagesWithMasks: 1, candidates: 3 }, { total: 3, failed: 1 }))).toBe('3 automatic masks kept on 1 image. 1 image of 3 failed (see the error).');
    expect(describeRunResult({ kind: 'ingest', status: 'succeeded', total: 4, done: 2, failed: 2, result: null })).toBe('2 of 4 images ingested; 2 files refused.');
    expect(
      describeRunResult({ kind: 'ingest', status: 'succeeded', total: 7, done: 5, failed: 2, result: { listing: { listed: 9, alreadyRegistered: 0, skipped: 1 }, counts: { duplicates: 1 } } }),
    ).toBe('5 of 7 images ingested in place; 2 objects failed (listed with the run); 1 duplicate of images it has, 1 object skipped (not images by name).');
    expect(describeRunResult({ kind: 'ingest', status: 'succeeded', total: 0, done: 0, failed: 0, result: { listing: { listed: 5, alreadyRegistered: 5, skipped: 0 } } })).toBe(
      'No new image to ingest; 5 objects already in the project.',
    );
    expect(describeRunResult({ kind: 'autogen', status: 'running', total: 4, done: 2, failed: 0, result: null })).toBeNull();
    expect(runHasErrors({ status: 'succeeded', failed: 2 })).toBe(true);
    expect(runHasErrors({ status: 'failed', failed: 4 })).toBe(false);
    expect(runHasErrors({ status: 'succeeded', failed: 0 })).toBe(false);
  });
});
