import { describe, expect, it } from 'vitest';
import { retrainModeAt, retrainParamsSchema, retrainRefitSteps, retrainWarmup } from './runs';

describe('retrain cadence', () => {
  it('runs every Kth retrain full and the others in the given mode', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retrainModeAt(n, 3))).toEqual(['fast', 'fast', 'full', 'fast', 'fast', 'full']);
    expect([1, 2, 3].map((n) => retrainModeAt(n, 1))).toEqual(['full', 'full', 'full']);
    expect([1, 2, 3].map((n) => retrainModeAt(n, 2, 'full'))).toEqual(['full', 'full', 'full']);
  });

  it('never runs a full retrain without a cadence', () => {
    for (const every of [null, 0]) expect([1, 2, 3].map((n) => retrainModeAt(n, every))).toEqual(['fast', 'fast', 'fast']);
    expect(retrainModeAt(4, null, 'full')).toBe('full');
  });
});

describe('retrain parameters', () => {
  it('default to a fast retrain with a short warm-up', () => {
    const params = retrainParamsSchema.parse({ projectId: '00000000-0000-4000-8000-000000000001' });
    expect(params).toMatchObject({ mode: 'fast', steps: 300, lr: 3e-4 });
    expect(retrainWarmup(params)).toBe(30);
    expect(retrainWarmup({ steps: 5000 })).toBe(50);
    expect(retrainWarmup({ steps: 500, warmup: 0 })).toBe(0);
  });

  it('give a full retrain a refit phase of 500 fast steps unless told otherwise, and a fast one none', () => {
    const projectId = '00000000-0000-4000-8000-000000000001';
    expect(retrainRefitSteps(retrainParamsSchema.parse({ projectId, mode: 'full' }))).toBe(500);
    expect(retrainRefitSteps(retrainParamsSchema.parse({ projectId, mode: 'full', refitSteps: 0 }))).toBe(0);
    expect(retrainRefitSteps(retrainParamsSchema.parse({ projectId, mode: 'full', refitSteps: 120 }))).toBe(120);
    expect(retrainRefitSteps(retrainParamsSchema.parse({ projectId, mode: 'fast', refitSteps: 120 }))).toBe(0);
    expect(retrainParamsSchema.safeParse({ projectId, mode: 'full', refitSteps: -1 }).success).toBe(false);
  });
});
