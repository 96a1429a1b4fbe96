import { describe, expect, it } from 'vitest';
import { AppError } from '@dataengine/contracts';
import { modelledMaskSeconds, SIMULATION_DEFAULTS, stageImageCounts, validateSimulationOptions } from './simulation-options';

const options = { ...SIMULATION_DEFAULTS, stages: [1, 2, 3] as (1 | 2 | 3)[] };

describe('simulation options', () => {
  it('split the images over the stages that run', () => {
    expect(stageImageCounts(options)).toEqual({ 1: 30, 2: 15, 3: 15 });
    expect(stageImageCounts({ ...options, images: 6, stage2Fraction: 0.34 })).toEqual({ 1: 3, 2: 2, 3: 1 });
    expect(stageImageCounts({ ...options, stages: [1] })).toEqual({ 1: 60, 2: 0, 3: 0 });
    expect(stageImageCounts({ ...options, stages: [1, 2] })).toEqual({ 1: 30, 2: 30, 3: 0 });
    expect(stageImageCounts({ ...options, images: 3, stages: [2, 3], stage2Fraction: 0.5 })).toEqual({ 1: 0, 2: 2, 3: 1 });
  });

  it('refuse a stage without images and bad values, saying which', () => {
    expect(() => validateSimulationOptions(options)).not.toThrow();
    expect(() => validateSimulationOptions({ ...options, images: 2 })).toThrow(/stage 3 gets no images with 2 images/);
    expect(() => validateSimulationOptions({ ...options, stage1Fraction: 0.8, stage2Fraction: 0.3 })).toThrow(/add up to more than 1/);
    expect(() => validateSimulationOptions({ ...options, targetIou: 0 })).toThrow(AppError);
    expect(() => validateSimulationOptions({ ...options, time: { ...options.time, secondsPerClick: -1 } })).toThrow(/secondsPerClick/);
    expect(() => validateSimulationOptions({ ...options, retrainFullEvery: 2 })).not.toThrow();
    expect(() => validateSimulationOptions({ ...options, retrainFullEvery: 1.5 })).toThrow(/full-every must be an integer ≥ 0, got 1.5/);
  });

  it('model a mask as a fixed cost plus a cost per click (≈ 34 s at 7 clicks, the paper’s stage-1 start)', () => {
    expect(modelledMaskSeconds(SIMULATION_DEFAULTS.time, 0)).toBe(10);
    expect(modelledMaskSeconds(SIMULATION_DEFAULTS.time, 7)).toBe(34.5);
  });
});
