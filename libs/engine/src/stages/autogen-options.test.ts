import { describe, expect, it } from 'vitest';
import { AppError } from '@dataengine/contracts';
import { AMG_SA1B_OPTIONS, AMG_SAM_DEFAULT_OPTIONS } from '@dataengine/segment';
import { resolveAutogenOptions } from './autogen-options';

const refusal = (run: () => unknown): AppError => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the overrides to be refused');
};

describe('resolveAutogenOptions', () => {
  it('applies overrides on top of the preset and always stores COCO RLE', () => {
    expect(resolveAutogenOptions({ preset: 'sam-default', overrides: {} })).toEqual({ ...AMG_SAM_DEFAULT_OPTIONS, outputMode: 'coco_rle' });
    const o = resolveAutogenOptions({ preset: 'sa1b', overrides: { pointsPerSide: 16, predIouThresh: 0.5 } });
    expect(o).toEqual({ ...AMG_SA1B_OPTIONS, pointsPerSide: 16, predIouThresh: 0.5, outputMode: 'coco_rle' });
  });

  it('names unknown parameters (suggesting the camelCase name), wrong types, and invalid values', () => {
    const typo = refusal(() => resolveAutogenOptions({ preset: 'sam-default', overrides: { points_per_side: 8, foo: 1 } }));
    expect(typo.code).toBe('BAD_REQUEST');
    expect(typo.message).toContain('"points_per_side" is not an AMG parameter (did you mean "pointsPerSide"?)');
    expect(typo.message).toContain('"foo" is not an AMG parameter. Parameters that can be overridden: pointsPerSide');
    expect(refusal(() => resolveAutogenOptions({ preset: 'sam-default', overrides: { outputMode: 'binary_mask' } })).message).toContain('"outputMode" is not an AMG parameter');
    expect(refusal(() => resolveAutogenOptions({ preset: 'sam-default', overrides: { boxNmsThresh: '0.5' } })).message).toContain('boxNmsThresh must be a number, got "0.5"');
    expect(refusal(() => resolveAutogenOptions({ preset: 'sam-default', overrides: { pointsPerSide: 2.5 } })).message).toContain('pointsPerSide must be a positive integer, got 2.5');
    expect(refusal(() => resolveAutogenOptions({ preset: 'sa1b', overrides: { cropOverlapRatio: 1 } })).message).toContain('cropOverlapRatio must be in [0, 1)');
  });
});
