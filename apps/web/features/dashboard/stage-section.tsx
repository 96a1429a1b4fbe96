'use client';
// Images by stage and task status, masks by stage and provenance: one chart each, and the table
// with the exact numbers.
import type { ProjectStats } from './lib/stats-types';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS_TICK, CHART_HEIGHT, PROVENANCE_COLORS, TASK_STATUS_COLORS } from './chart-theme';
import { STAGE_NAMES } from './lib/effort-series';

const TASK_STATUSES = ['open', 'leased', 'submitted', 'skipped'] as const;
const PROVENANCES = ['manual', 'prefill', 'auto'] as const;
const shortStage = (stage: string) => (STAGE_NAMES[stage] ?? stage).split(' · ')[0]!;

export function StageSection({ stats }: { stats: ProjectStats }) {
  const tasks = stats.stages.map((s) => ({ stage: shortStage(s.stage), ...s.tasks }));
  const masks = stats.stages.map((s) => ({ stage: shortStage(s.stage), ...s.masks }));
  return (
    <section className="panel dashboard-section" aria-labelledby="stages-title">
      <h2 id="stages-title" className="panel-title">
        Images and masks by stage
      </h2>
      <div className="chart-pair">
        <figure className="chart" data-testid="chart-tasks">
          <figcaption>Images by stage and task status</figcaption>
          <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
            <BarChart data={tasks} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="stage" tick={AXIS_TICK} />
              <YAxis allowDecimals={false} tick={AXIS_TICK} />
              <Tooltip />
              <Legend />
              {TASK_STATUSES.map((status) => (
                <Bar key={status} dataKey={status} stackId="tasks" fill={TASK_STATUS_COLORS[status]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <figure className="chart" data-testid="chart-masks-by-stage">
          <figcaption>Masks by stage and provenance</figcaption>
          <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
            <BarChart data={masks} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="stage" tick={AXIS_TICK} />
              <YAxis allowDecimals={false} tick={AXIS_TICK} />
              <Tooltip />
              <Legend />
              {PROVENANCES.map((p) => (
                <Bar key={p} dataKey={p} stackId="masks" fill={PROVENANCE_COLORS[p]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </figure>
      </div>
      <div className="table-wrap">
        <table className="table table-numbers" data-testid="stage-table">
          <thead>
            <tr>
              <th>Stage</th>
              <th>Images</th>
              <th>Done</th>
              {TASK_STATUSES.map((s) => (
                <th key={s}>Tasks {s}</th>
              ))}
              {PROVENANCES.map((p) => (
                <th key={p}>{p} masks</th>
              ))}
              <th title="active time of the submitted images of the stage, per image">s / image</th>
              <th>In review</th>
            </tr>
          </thead>
          <tbody>
            {stats.stages.map((s) => (
              <tr key={s.stage} data-testid="stage-row" data-stage={s.stage}>
                <td>{STAGE_NAMES[s.stage]}</td>
                <td data-metric="imagesTotal">{s.imagesTotal}</td>
                <td data-metric="imagesDone">{s.imagesDone}</td>
                {TASK_STATUSES.map((status) => (
                  <td key={status} data-metric={`tasks.${status}`}>
                    {s.tasks[status]}
                  </td>
                ))}
                {PROVENANCES.map((p) => (
                  <td key={p} data-metric={`masks.${p}`}>
                    {s.masks[p]}
                  </td>
                ))}
                <td data-metric="secondsPerImage">{s.secondsPerImage ?? '—'}</td>
                <td data-metric="inReview">{s.inReview}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
