import { describe, expect, it } from 'vitest';
import { parseSimulateArgs } from './simulate.command';

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

  it('refuse a cadence that is not a whole number', () => {
    expect(() => parseSimulateArgs(['--full-every', '-1'])).toThrow(/full-every/);
  });
});
