import { describe, expect, it } from 'vitest';
import { reviewDraw, reviewSourceFor, type ReviewPolicy } from './review-sampling';

const SEED = '6f1c2f7e-0000-4000-8000-000000000001';
const ids = Array.from({ length: 2_000 }, (_, i) => i + 1);
const stage1 = (imageId: number, rejectedBefore = false) => ({ seed: SEED, imageId, stage: 'assisted_manual' as const, rejectedBefore });
const picked = (policy: ReviewPolicy) => ids.filter((id) => reviewSourceFor(stage1(id), policy) !== null);

describe('QA sampling', () => {
  it('draws the same number for the same seed, image and stage, and another for another seed or stage', () => {
    expect(reviewDraw(SEED, 7, 'assisted_manual')).toBe(reviewDraw(SEED, 7, 'assisted_manual'));
    expect(reviewDraw(SEED, 7, 'assisted_manual')).not.toBe(reviewDraw('other-project', 7, 'assisted_manual'));
    expect(reviewDraw(SEED, 7, 'assisted_manual')).not.toBe(reviewDraw(SEED, 7, 'semi_automatic'));
    for (const id of ids.slice(0, 200)) {
      const d = reviewDraw(SEED, id, 'assisted_manual');
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(1);
    }
  });

  it('reviews no stage-1 image at rate 0 and every one at rate 1', () => {
    expect(picked({ sampleRate: 0, laterStages: true })).toEqual([]);
    expect(picked({ sampleRate: 1, laterStages: true })).toEqual(ids);
  });

  it('reviews about the rate\'s share at 10 %, the same images every time, and a superset at a higher rate', () => {
    const ten = picked({ sampleRate: 0.1, laterStages: true });
    expect(ten.length).toBeGreaterThan(0.1 * ids.length - 45); // binomial sd ≈ 13
    expect(ten.length).toBeLessThan(0.1 * ids.length + 45);
    expect(picked({ sampleRate: 0.1, laterStages: true })).toEqual(ten);
    const thirty = new Set(picked({ sampleRate: 0.3, laterStages: true }));
    expect(ten.every((id) => thirty.has(id))).toBe(true);
  });

  it('reviews every stage-2/3 submission and autogen output unless the project turns that off, then samples them', () => {
    const all: ReviewPolicy = { sampleRate: 0, laterStages: true };
    expect(reviewSourceFor({ seed: SEED, imageId: 3, stage: 'semi_automatic', rejectedBefore: false }, all)).toBe('stage');
    expect(reviewSourceFor({ seed: SEED, imageId: 3, stage: 'fully_automatic', rejectedBefore: false, machine: true }, all)).toBe('autogen');
    expect(reviewSourceFor({ seed: SEED, imageId: 3, stage: 'assisted_manual', rejectedBefore: false, machine: true }, all)).toBe('autogen');
    const off: ReviewPolicy = { sampleRate: 0, laterStages: false };
    expect(reviewSourceFor({ seed: SEED, imageId: 3, stage: 'semi_automatic', rejectedBefore: false }, off)).toBeNull();
    expect(reviewSourceFor({ seed: SEED, imageId: 3, stage: 'fully_automatic', rejectedBefore: false, machine: true }, off)).toBeNull();
    const sampledOff = ids.filter((id) => reviewSourceFor({ seed: SEED, imageId: id, stage: 'semi_automatic', rejectedBefore: false }, { sampleRate: 0.1, laterStages: false }) === 'sampled');
    expect(sampledOff.length).toBeGreaterThan(150);
    expect(sampledOff.length).toBeLessThan(250);
  });

  it('always reviews an image resubmitted after a rejection, even at rate 0', () => {
    expect(reviewSourceFor(stage1(5, true), { sampleRate: 0, laterStages: false })).toBe('resubmitted');
  });
});
