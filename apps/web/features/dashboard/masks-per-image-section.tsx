'use client';
import type { ProjectStats } from './lib/stats-types';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS_TICK, CHART_HEIGHT, PROVENANCE_COLORS } from './chart-theme';

/** How many images have how many masks: all together, and per provenance. */
export function MasksPerImageSection({ stats }: { stats: ProjectStats }) {
  return (
    <section className="panel dashboard-section" aria-labelledby="mpi-title">
      <h2 id="mpi-title" className="panel-title">
        Masks per image
      </h2>
      <figure className="chart" data-testid="chart-masks-per-image">
        <figcaption>Images by number of masks (x: masks on an image; bars: images)</figcaption>
        <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
          <BarChart data={stats.masksPerImage} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={AXIS_TICK} />
            <YAxis allowDecimals={false} tick={AXIS_TICK} />
            <Tooltip />
            <Legend />
            <Bar dataKey="all" name="all masks" fill="#4a5568" isAnimationActive={false} />
            <Bar dataKey="manual" fill={PROVENANCE_COLORS.manual} isAnimationActive={false} />
            <Bar dataKey="prefill" fill={PROVENANCE_COLORS.prefill} isAnimationActive={false} />
            <Bar dataKey="auto" fill={PROVENANCE_COLORS.auto} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <table className="table table-numbers table-compact" data-testid="masks-per-image-table">
        <thead>
          <tr>
            <th>Masks on an image</th>
            {stats.masksPerImage.map((b) => (
              <th key={b.label}>{b.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(['all', 'manual', 'prefill', 'auto'] as const).map((series) => (
            <tr key={series} data-testid="masks-per-image-row" data-series={series}>
              <td>{series === 'all' ? 'all masks' : series} (images)</td>
              {stats.masksPerImage.map((b) => (
                <td key={b.label} data-metric={b.label}>
                  {b[series]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
