import { describe, expect, it } from 'vitest';
import { effortOf, rollUpEffort, type DailyCounter } from './effort-rollups';
import { bucketMasksPerImage } from './masks-per-image';

const row = (over: Partial<DailyCounter>): DailyCounter => ({ day: '2024-05-01', stage: 'assisted_manual', checkpointKey: 'ck-a', authorId: 'u1', masks: 1, activeMs: 1000, clicks: 1, ...over });

describe('effortOf', () => {
  it('gives per-mask rates rounded to hundredths, and none without masks', () => {
    expect(effortOf(3, 100_000, 10)).toEqual({ masks: 3, activeMs: 100_000, clicks: 10, secondsPerMask: 33.33, clicksPerMask: 3.33 });
    expect(effortOf(0, 5_000, 2)).toMatchObject({ secondsPerMask: null, clicksPerMask: null });
  });
});

describe('rollUpEffort', () => {
  const rows = [
    row({ day: '2024-05-01', checkpointKey: 'ck-a', authorId: 'u1', masks: 10, activeMs: 340_000, clicks: 70 }),
    row({ day: '2024-05-01', checkpointKey: '', authorId: 'u2', masks: 2, activeMs: 100_000, clicks: 30 }),
    row({ day: '2024-05-03', checkpointKey: 'ck-b', authorId: 'u1', masks: 20, activeMs: 280_000, clicks: 60 }),
    row({ day: '2024-05-03', stage: 'semi_automatic', checkpointKey: 'ck-b', authorId: 'u2', masks: 5, activeMs: 50_000, clicks: 5 }),
    // an edit of someone else's mask: time and clicks without a new mask
    row({ day: '2024-05-04', checkpointKey: 'ck-b', authorId: 'u2', masks: 0, activeMs: 4_000, clicks: 2 }),
  ];
  const context = {
    checkpoints: [
      { key: 'ck-a', name: 'r0' },
      { key: 'ck-b', name: 'r1' },
    ],
    annotators: new Map([
      ['u1', { name: 'Una', email: 'una@x' }],
      ['u2', { name: 'Dos', email: 'dos@x' }],
    ]),
    submissions: new Map([
      ['u1', { images: 6, days: 2 }],
      ['u3', { images: 1, days: 1 }],
    ]),
  };
  const effort = rollUpEffort(rows, context);

  it('sums by stage in stage order', () => {
    expect(effort.byStage.map((s) => [s.stage, s.masks, s.activeMs, s.clicks])).toEqual([
      ['assisted_manual', 32, 724_000, 162],
      ['semi_automatic', 5, 50_000, 5],
    ]);
  });

  it('orders checkpoints as registered, "no model" first, and names them', () => {
    expect(effort.byCheckpoint.map((c) => [c.checkpointName, c.masks, c.secondsPerMask])).toEqual([
      ['no model', 2, 50],
      ['r0', 10, 34],
      ['r1', 25, 13.36],
    ]);
  });

  it('gives each annotator throughput: masks per active hour and images per submitting day', () => {
    const u1 = effort.byAnnotator.find((a) => a.authorId === 'u1')!;
    expect(u1).toMatchObject({ name: 'Una', masks: 30, activeMs: 620_000, activeDays: 2, imagesSubmitted: 6, imagesPerDay: 3 });
    expect(u1.masksPerHour).toBe(Math.round((30 / (620_000 / 3_600_000)) * 100) / 100);
    const u2 = effort.byAnnotator.find((a) => a.authorId === 'u2')!;
    expect(u2).toMatchObject({ masks: 7, activeDays: 3, imagesSubmitted: 0, imagesPerDay: null });
    // submitted images but no saved masks: still listed
    expect(effort.byAnnotator.find((a) => a.authorId === 'u3')).toMatchObject({ name: 'deleted user', masks: 0, masksPerHour: null, imagesSubmitted: 1 });
    expect(effort.byAnnotator[0]!.authorId).toBe('u1');
  });

  it('keeps the counters\' daily grain, oldest day first', () => {
    expect(effort.daily).toHaveLength(rows.length);
    expect(effort.daily.map((d) => d.day)).toEqual(['2024-05-01', '2024-05-01', '2024-05-03', '2024-05-03', '2024-05-04']);
    expect(effort.daily[0]).toMatchObject({ checkpointKey: '', authorId: 'u2' });
  });
});

describe('bucketMasksPerImage', () => {
  it('puts exact counts into the buckets per series', () => {
    const buckets = bucketMasksPerImage([
      { series: 'all', n: 0, images: 3 },
      { series: 'all', n: 5, images: 1 },
      { series: 'all', n: 6, images: 2 },
      { series: 'all', n: 250, images: 1 },
      { series: 'auto', n: 100, images: 4 },
      { series: 'manual', n: 0, images: 7 },
    ]);
    const byLabel = Object.fromEntries(buckets.map((b) => [b.label, b]));
    expect(buckets.map((b) => b.label)).toEqual(['0', '1–5', '6–20', '21–50', '51–100', '101–200', '201+']);
    expect(byLabel['0']).toMatchObject({ all: 3, manual: 7, auto: 0 });
    expect(byLabel['1–5']!.all).toBe(1);
    expect(byLabel['6–20']!.all).toBe(2);
    expect(byLabel['51–100']!.auto).toBe(4);
    expect(byLabel['201+']!.all).toBe(1);
  });
});
