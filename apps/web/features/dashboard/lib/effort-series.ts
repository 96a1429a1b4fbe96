// Pure pivots of the dashboard's daily effort rows into chart series: one line per checkpoint,
// annotator or stage, one point per day, the rate recomputed from the summed counters.
import type { ProjectStats } from './stats-types';

export type Dimension = 'checkpoint' | 'annotator' | 'stage';
export type EffortMetric = 'secondsPerMask' | 'clicksPerMask';
type DailyRow = ProjectStats['effort']['daily'][number];

export interface ChartSeries {
  /** recharts dataKey: plain, so names with dots or spaces stay labels only */
  key: string;
  label: string;
}

export interface EffortChart {
  series: ChartSeries[];
  /** one row per day: { day, s0: 34.2, s1: null, … } */
  data: Record<string, string | number | null>[];
}

const keyOf = (row: DailyRow, dimension: Dimension): string =>
  dimension === 'checkpoint' ? row.checkpointKey : dimension === 'annotator' ? row.authorId : row.stage;

const rate = (metric: EffortMetric, t: { masks: number; activeMs: number; clicks: number }): number | null =>
  t.masks > 0 ? Math.round(((metric === 'secondsPerMask' ? t.activeMs / 1000 : t.clicks) / t.masks) * 100) / 100 : null;

/**
 * @param order the series in display order with their labels (checkpoints in lineage order, …);
 * keys seen in the rows but missing from it are appended with their raw key as label
 */
export function effortOverTime(daily: DailyRow[], dimension: Dimension, metric: EffortMetric, order: { id: string; label: string }[]): EffortChart {
  const sums = new Map<string, { masks: number; activeMs: number; clicks: number }>();
  const days: string[] = [];
  const seen = new Set<string>();
  for (const row of daily) {
    if (!days.includes(row.day)) days.push(row.day);
    const id = keyOf(row, dimension);
    seen.add(id);
    const k = `${row.day}\u0000${id}`;
    const t = sums.get(k) ?? { masks: 0, activeMs: 0, clicks: 0 };
    sums.set(k, { masks: t.masks + row.masks, activeMs: t.activeMs + row.activeMs, clicks: t.clicks + row.clicks });
  }
  const ordered = [...order.filter((o) => seen.has(o.id)), ...[...seen].filter((id) => !order.some((o) => o.id === id)).map((id) => ({ id, label: id }))];
  const series = ordered.map((o, i) => ({ key: `s${i}`, label: o.label, id: o.id }));
  const data = days.sort().map((day) => {
    const point: Record<string, string | number | null> = { day };
    for (const s of series) {
      const t = sums.get(`${day}\u0000${s.id}`);
      point[s.key] = t ? rate(metric, t) : null;
    }
    return point;
  });
  return { series: series.map(({ key, label }) => ({ key, label })), data };
}

export const STAGE_NAMES: Record<string, string> = { assisted_manual: 'Stage 1 · assisted-manual', semi_automatic: 'Stage 2 · semi-automatic', fully_automatic: 'Stage 3 · fully automatic' };

/** Labels for each dimension from the stats themselves. */
export function seriesOrder(stats: ProjectStats, dimension: Dimension): { id: string; label: string }[] {
  if (dimension === 'checkpoint') return stats.effort.byCheckpoint.map((c) => ({ id: c.checkpointKey, label: c.checkpointName }));
  if (dimension === 'annotator') return stats.effort.byAnnotator.map((a) => ({ id: a.authorId, label: a.name }));
  return stats.effort.byStage.map((s) => ({ id: s.stage, label: STAGE_NAMES[s.stage] ?? s.stage }));
}
