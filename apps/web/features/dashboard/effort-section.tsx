'use client';
// Active time and clicks per mask: over days (one line per checkpoint, annotator or stage) and per
// checkpoint (the SAM paper's "34 s → 14 s per mask as the model improves").
import { IDLE_CAP_RULE } from '@dataengine/contracts';
import type { ProjectStats } from './lib/stats-types';
import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS_TICK, CHART_HEIGHT, seriesColor } from './chart-theme';
import { effortOverTime, seriesOrder, STAGE_NAMES, type Dimension, type EffortMetric } from './lib/effort-series';

const METRIC_LABEL: Record<EffortMetric, string> = { secondsPerMask: 'active seconds per mask', clicksPerMask: 'clicks per mask' };
const DIMENSION_LABEL: Record<Dimension, string> = { checkpoint: 'checkpoint', annotator: 'annotator', stage: 'stage' };

type EffortRow = { masks: number; activeMs: number; clicks: number; secondsPerMask: number | null; clicksPerMask: number | null };

function EffortCells({ row }: { row: EffortRow }) {
  return (
    <>
      <td data-metric="masks">{row.masks}</td>
      <td data-metric="activeSeconds">{Math.round(row.activeMs / 1000)}</td>
      <td data-metric="clicks">{row.clicks}</td>
      <td data-metric="secondsPerMask">{row.secondsPerMask ?? '—'}</td>
      <td data-metric="clicksPerMask">{row.clicksPerMask ?? '—'}</td>
    </>
  );
}

const EFFORT_HEADERS = ['Masks', 'Active s', 'Clicks', 's / mask', 'Clicks / mask'];

export function EffortSection({ stats }: { stats: ProjectStats }) {
  const [dimension, setDimension] = useState<Dimension>('checkpoint');
  const [metric, setMetric] = useState<EffortMetric>('secondsPerMask');
  const chart = useMemo(() => effortOverTime(stats.effort.daily, dimension, metric, seriesOrder(stats, dimension)), [stats, dimension, metric]);
  const byCheckpoint = stats.effort.byCheckpoint;

  return (
    <section className="panel dashboard-section" aria-labelledby="effort-title">
      <div className="section-header">
        <h2 id="effort-title" className="panel-title">
          Annotation effort
        </h2>
        <div className="chart-controls">
          <label className="field field-inline">
            <span>Show</span>
            <select value={metric} onChange={(e) => setMetric(e.target.value as EffortMetric)} data-testid="effort-metric">
              {Object.entries(METRIC_LABEL).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="field field-inline">
            <span>by</span>
            <select value={dimension} onChange={(e) => setDimension(e.target.value as Dimension)} data-testid="effort-dimension">
              {Object.entries(DIMENSION_LABEL).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <p className="muted small" data-testid="idle-rule" data-cap={stats.timing.idleCapSeconds} data-source={stats.timing.source}>
        {IDLE_CAP_RULE(stats.timing.idleCapSeconds)}{' '}
        {stats.timing.source === 'project' ? 'This project sets its own cap (project page, Review & time).' : 'The installation’s cap (IDLE_GAP_CAP_SECONDS); a project manager can set the project’s own on the project page.'}
      </p>
      {stats.effort.daily.length === 0 ? (
        <p className="empty">No masks saved by annotators yet: time and clicks per mask appear here once they are.</p>
      ) : (
        <div className="chart-pair">
          <figure className="chart" data-testid="chart-effort-over-time">
            <figcaption>
              {METRIC_LABEL[metric]} per day, by {DIMENSION_LABEL[dimension]} (one unit per chart: pick seconds or clicks above)
            </figcaption>
            <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
              <LineChart data={chart.data} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" tick={AXIS_TICK} />
                <YAxis tick={AXIS_TICK} label={{ value: metric === 'secondsPerMask' ? 's / mask' : 'clicks / mask', angle: -90, position: 'insideLeft', fontSize: 11 }} />
                <Tooltip />
                <Legend />
                {chart.series.map((s, i) => (
                  <Line key={s.key} type="monotone" dataKey={s.key} name={s.label} stroke={seriesColor(i)} strokeWidth={2} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </figure>
          <figure className="chart" data-testid="chart-effort-by-checkpoint">
            <figcaption>Per checkpoint, in the order they were trained</figcaption>
            <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
              <BarChart data={byCheckpoint} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="checkpointName" tick={AXIS_TICK} />
                {/* seconds and clicks are different units: one axis each */}
                <YAxis yAxisId="seconds" tick={AXIS_TICK} label={{ value: 's / mask', angle: -90, position: 'insideLeft', fontSize: 11 }} />
                <YAxis yAxisId="clicks" orientation="right" tick={AXIS_TICK} label={{ value: 'clicks / mask', angle: 90, position: 'insideRight', fontSize: 11 }} />
                <Tooltip />
                <Legend />
                <Bar yAxisId="seconds" dataKey="secondsPerMask" name="s / mask (left)" fill={seriesColor(0)} isAnimationActive={false} />
                <Bar yAxisId="clicks" dataKey="clicksPerMask" name="clicks / mask (right)" fill={seriesColor(2)} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
        </div>
      )}
      <div className="table-pair">
        <div className="table-wrap">
          <table className="table table-numbers" data-testid="checkpoint-effort-table">
            <thead>
              <tr>
                <th>Checkpoint</th>
                {EFFORT_HEADERS.map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {byCheckpoint.map((c) => (
                <tr key={c.checkpointKey} data-testid="checkpoint-effort-row" data-checkpoint={c.checkpointName}>
                  <td>{c.checkpointName}</td>
                  <EffortCells row={c} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="table-wrap">
          <table className="table table-numbers" data-testid="stage-effort-table">
            <thead>
              <tr>
                <th>Stage</th>
                {EFFORT_HEADERS.map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {stats.effort.byStage.map((s) => (
                <tr key={s.stage} data-testid="stage-effort-row" data-stage={s.stage}>
                  <td>{STAGE_NAMES[s.stage]}</td>
                  <EffortCells row={s} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
