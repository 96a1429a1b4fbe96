import { describe, expect, it } from 'vitest';
import { evaluateClickCap, parseSimulateArgs } from './simulate.command';

describe('simulate options', () => {
  it('run every 2nd retrain full by default, and every retrain in the mode given alone', () => {
    const cadence = (...args: string[]) => {
      const { options } = parseSimulateArgs(args);
      return [options.retrainMode, options.retrainFullEvery];
    };
    expect(cadence()).toEqual([null, 2]);
    expect(cadence('--full-every', '0')).toEqual([null, 0]);
    expect(cadence('--retrain-mode', 'fast')).toEqual(['fast', 0]);
    expect(cadence('--retrain-mode', 'full')).toEqual(['full', 0]);
    expect(cadence('--retrain-mode', 'fast', '--full-every', '3')).toEqual(['fast', 3]);
  });

  it('give a full retrain its own step count', () => {
    const steps = (...args: string[]) => {
      const { options } = parseSimulateArgs(args);
      return [options.retrainSteps, options.retrainFullSteps];
    };
    expect(steps()).toEqual([500, 150]);
    expect(steps('--full-steps', '300', '--retrain-steps', '400')).toEqual([400, 300]);
    expect(() => parseSimulateArgs(['--full-steps', '0'])).toThrow(/--full-steps/);
  });

  it('cap evaluate\'s NoC at the annotators\' click budget, never below the gate\'s 5 clicks', () => {
    expect(evaluateClickCap(parseSimulateArgs([]).options.maxClicks)).toBe(8);
    expect(evaluateClickCap(3)).toBe(5);
    expect(evaluateClickCap(500)).toBe(100);
  });

  it('refuse a cadence that is not a whole number', () => {
    expect(() => parseSimulateArgs(['--full-every', '-1'])).toThrow(/full-every/);
  });
});
