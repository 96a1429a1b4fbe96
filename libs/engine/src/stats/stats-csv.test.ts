import { describe, expect, it } from 'vitest';
import { csvCell, projectStatsCsv, STATS_CSV_COLUMNS } from './stats-csv';
import type { ProjectStats } from './stats-schema';

const stats: ProjectStats = {
  project: { id: '00000000-0000-4000-8000-000000000001', name: 'P, "quoted"', slug: 'p', stage: 'assisted_manual' },
  generatedAt: '2024-05-04T10:00:00.000Z',
  images: { total: 3, pending: 1, ready: 2, failed: 0 },
  stages: [{ stage: 'assisted_manual', imagesTotal: 3, imagesDone: 1, tasks: { open: 1, leased: 1, submitted: 1, skipped: 0 }, masks: { manual: 4, prefill: 0, auto: 2, total: 6 }, submittedActiveMs: 90_000, secondsPerImage: 90, inReview: 1 }],
  masksPerImage: [{ label: '0', min: 0, max: 0, all: 1, manual: 1, prefill: 2, auto: 1 }],
  acceptRates: [{ checkpointKey: 'ck', checkpointName: '=cmd|calc', provenance: 'auto', made: 10, kept: 6, edited: 1, deleted: 1, rejected: 0, pending: 2, acceptRate: 0.75 }],
  timing: { idleCapSeconds: 30, source: 'installation' },
  effort: {
    byStage: [{ stage: 'assisted_manual', masks: 4, activeMs: 60_000, clicks: 9, secondsPerMask: 15, clicksPerMask: 2.25 }],
    byCheckpoint: [{ checkpointKey: 'ck', checkpointName: '=cmd|calc', masks: 4, activeMs: 60_000, clicks: 9, secondsPerMask: 15, clicksPerMask: 2.25 }],
    byAnnotator: [{ authorId: 'u1', name: 'Una', email: 'una@x', masks: 4, activeMs: 60_000, clicks: 9, secondsPerMask: 15, clicksPerMask: 2.25, activeDays: 1, masksPerHour: 240, imagesSubmitted: 1, imagesPerDay: 1, secondsPerImage: 90 }],
    daily: [{ day: '2024-05-04', stage: 'assisted_manual', checkpointKey: 'ck', authorId: 'u1', masks: 4, activeMs: 60_000, clicks: 9, secondsPerMask: 15, clicksPerMask: 2.25 }],
  },
};

function parse(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trimEnd().split('\r\n');
  expect(header).toBe(STATS_CSV_COLUMNS.join(','));
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [STATS_CSV_COLUMNS[i]!, v])));
}

describe('projectStatsCsv', () => {
  it('writes every number as one row with the same columns', () => {
    const rows = parse(projectStatsCsv(stats));
    const find = (section: string, metric: string, extra: Record<string, string> = {}) =>
      rows.filter((r) => r['section'] === section && r['metric'] === metric && Object.entries(extra).every(([k, v]) => r[k] === v));
    expect(find('images', 'images', { status: 'all' })[0]!['value']).toBe('3');
    expect(find('tasks', 'tasks', { stage: 'assisted_manual', status: 'leased' })[0]!['value']).toBe('1');
    expect(find('masks', 'masks', { provenance: 'auto' })[0]!['value']).toBe('2');
    expect(find('masks_per_image', 'images', { bucket: '0', provenance: 'prefill' })[0]!['value']).toBe('2');
    expect(find('effort_by_annotator', 'masks_per_hour', { annotator: 'una@x' })[0]!['value']).toBe('240');
    expect(find('stage_images', 'seconds_per_image', { stage: 'assisted_manual' })[0]!['value']).toBe('90');
    expect(find('accept_rate', 'accept_rate', { provenance: 'auto' })[0]!['value']).toBe('0.75');
    expect(find('accept_rate', 'pending', { provenance: 'auto' })[0]!['value']).toBe('2');
    // the daily rows name checkpoint and annotator, not their ids
    expect(find('effort_daily', 'active_ms', { day: '2024-05-04', annotator: 'una@x' })[0]!['value']).toBe('60000');
    expect(rows.every((r) => Object.keys(r).length === STATS_CSV_COLUMNS.length)).toBe(true);
  });

  it('defuses formulas in names (the checkpoint named "=cmd|calc")', () => {
    expect(projectStatsCsv(stats)).toContain(",'=cmd|calc,");
  });
});

describe('csvCell', () => {
  it('quotes commas, quotes and newlines, and leaves numbers and empty cells bare', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell('+1')).toBe("'+1");
  });
});
