// The dashboard's numbers as one CSV in long ("tidy") form: every number is a row with the same
// columns, so a spreadsheet pivot or pandas reads all sections alike.
import type { Effort, ProjectStats } from './stats-schema';

export const STATS_CSV_COLUMNS = ['section', 'stage', 'provenance', 'status', 'bucket', 'checkpoint', 'annotator', 'day', 'metric', 'value'] as const;
type Column = (typeof STATS_CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string | number | null>>;

/** RFC 4180 quoting; text that a spreadsheet would run as a formula is prefixed with a quote. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function effortRows(base: Row, e: Effort): Row[] {
  return [
    { ...base, metric: 'masks', value: e.masks },
    { ...base, metric: 'active_ms', value: e.activeMs },
    { ...base, metric: 'clicks', value: e.clicks },
    { ...base, metric: 'seconds_per_mask', value: e.secondsPerMask },
    { ...base, metric: 'clicks_per_mask', value: e.clicksPerMask },
  ];
}

export function projectStatsRows(stats: ProjectStats): Row[] {
  const rows: Row[] = [];
  const { images } = stats;
  for (const status of ['pending', 'ready', 'failed'] as const) rows.push({ section: 'images', status, metric: 'images', value: images[status] });
  rows.push({ section: 'images', status: 'all', metric: 'images', value: images.total });
  for (const s of stats.stages) {
    rows.push({ section: 'stage_images', stage: s.stage, metric: 'images_total', value: s.imagesTotal }, { section: 'stage_images', stage: s.stage, metric: 'images_done', value: s.imagesDone });
    rows.push({ section: 'stage_images', stage: s.stage, metric: 'seconds_per_image', value: s.secondsPerImage }, { section: 'stage_images', stage: s.stage, metric: 'in_review', value: s.inReview });
    for (const [status, n] of Object.entries(s.tasks)) rows.push({ section: 'tasks', stage: s.stage, status, metric: 'tasks', value: n });
    for (const provenance of ['manual', 'prefill', 'auto'] as const) rows.push({ section: 'masks', stage: s.stage, provenance, metric: 'masks', value: s.masks[provenance] });
  }
  for (const b of stats.masksPerImage) {
    for (const provenance of ['all', 'manual', 'prefill', 'auto'] as const) rows.push({ section: 'masks_per_image', provenance, bucket: b.label, metric: 'images', value: b[provenance] });
  }
  for (const r of stats.acceptRates) {
    const base = { section: 'accept_rate', checkpoint: r.checkpointName, provenance: r.provenance };
    for (const metric of ['made', 'kept', 'edited', 'deleted', 'rejected', 'pending'] as const) rows.push({ ...base, metric, value: r[metric] });
    rows.push({ ...base, metric: 'accept_rate', value: r.acceptRate });
  }
  const names = new Map(stats.effort.byCheckpoint.map((c) => [c.checkpointKey, c.checkpointName]));
  const emails = new Map(stats.effort.byAnnotator.map((a) => [a.authorId, a.email]));
  for (const e of stats.effort.byStage) rows.push(...effortRows({ section: 'effort_by_stage', stage: e.stage }, e));
  for (const e of stats.effort.byCheckpoint) rows.push(...effortRows({ section: 'effort_by_checkpoint', checkpoint: e.checkpointName }, e));
  for (const a of stats.effort.byAnnotator) {
    const base = { section: 'effort_by_annotator', annotator: a.email };
    rows.push(
      ...effortRows(base, a),
      { ...base, metric: 'masks_per_hour', value: a.masksPerHour },
      { ...base, metric: 'images_submitted', value: a.imagesSubmitted },
      { ...base, metric: 'images_per_day', value: a.imagesPerDay },
      { ...base, metric: 'seconds_per_image', value: a.secondsPerImage },
    );
  }
  for (const d of stats.effort.daily) {
    rows.push(...effortRows({ section: 'effort_daily', day: d.day, stage: d.stage, checkpoint: names.get(d.checkpointKey) ?? d.checkpointKey, annotator: emails.get(d.authorId) ?? d.authorId }, d));
  }
  return rows;
}

export function projectStatsCsv(stats: ProjectStats): string {
  const lines = [STATS_CSV_COLUMNS.join(','), ...projectStatsRows(stats).map((row) => STATS_CSV_COLUMNS.map((c) => csvCell(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function statsCsvFileName(stats: ProjectStats): string {
  return `${stats.project.slug}-dashboard-${stats.generatedAt.slice(0, 10)}.csv`;
}
