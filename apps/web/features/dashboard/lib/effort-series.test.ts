import { describe, expect, it } from 'vitest';
import { effortOverTime } from './effort-series';

const row = (day: string, checkpointKey: string, authorId: string, masks: number, activeMs: number, clicks: number) => ({
  day,
  stage: 'assisted_manual' as const,
  checkpointKey,
  authorId,
  masks,
  activeMs,
  clicks,
  secondsPerMask: null,
  clicksPerMask: null,
});

describe('effortOverTime', () => {
  const daily = [
    row('2024-03-01', 'a', 'u1', 2, 68_000, 14),
    row('2024-03-01', 'a', 'u2', 2, 72_000, 10),
    row('2024-03-03', 'b', 'u1', 4, 56_000, 8),
    row('2024-03-02', 'b', 'u2', 0, 5_000, 1), // an edit: time without a new mask
  ];
  const order = [
    { id: 'a', label: 'r0' },
    { id: 'b', label: 'r1.v2' },
  ];

  it('gives one point per day and one series per checkpoint, rates from the summed counters', () => {
    const chart = effortOverTime(daily, 'checkpoint', 'secondsPerMask', order);
    expect(chart.series).toEqual([
      { key: 's0', label: 'r0' },
      { key: 's1', label: 'r1.v2' },
    ]);
    expect(chart.data).toEqual([
      { day: '2024-03-01', s0: 35, s1: null },
      { day: '2024-03-02', s0: null, s1: null },
      { day: '2024-03-03', s0: null, s1: 14 },
    ]);
  });

  it('pivots by annotator, appending ids it has no label for', () => {
    const chart = effortOverTime(daily, 'annotator', 'clicksPerMask', [{ id: 'u2', label: 'Dos' }]);
    expect(chart.series.map((s) => s.label)).toEqual(['Dos', 'u1']);
    expect(chart.data[0]).toEqual({ day: '2024-03-01', s0: 5, s1: 7 });
    expect(chart.data[2]).toEqual({ day: '2024-03-03', s0: null, s1: 2 });
  });
});
