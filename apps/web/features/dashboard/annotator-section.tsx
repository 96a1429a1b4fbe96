'use client';
import type { ProjectStats } from './lib/stats-types';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS_TICK, CHART_HEIGHT, seriesColor } from './chart-theme';

/** Throughput per annotator: masks per active hour and images submitted per working day. */
export function AnnotatorSection({ stats }: { stats: ProjectStats }) {
  const rows = stats.effort.byAnnotator;
  return (
    <section className="panel dashboard-section" aria-labelledby="annotators-title">
      <h2 id="annotators-title" className="panel-title">
        Annotator throughput
      </h2>
      {rows.length === 0 ? (
        <p className="empty">Nobody has annotated in this project yet.</p>
      ) : (
        <div className="chart-pair chart-pair-wide-table">
          <figure className="chart" data-testid="chart-throughput">
            <figcaption>Masks per active hour and images per day</figcaption>
            <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
              <BarChart data={rows} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="name" tick={AXIS_TICK} />
                <YAxis yAxisId="masks" tick={AXIS_TICK} />
                <YAxis yAxisId="images" orientation="right" allowDecimals={false} tick={AXIS_TICK} />
                <Tooltip />
                <Legend />
                <Bar yAxisId="masks" dataKey="masksPerHour" name="masks / hour (left)" fill={seriesColor(0)} isAnimationActive={false} />
                <Bar yAxisId="images" dataKey="imagesPerDay" name="images / day (right)" fill={seriesColor(1)} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <div className="table-wrap">
            <table className="table table-numbers" data-testid="annotator-table">
              <thead>
                <tr>
                  <th>Annotator</th>
                  <th>Masks</th>
                  <th>s / mask</th>
                  <th>Clicks / mask</th>
                  <th>Masks / hour</th>
                  <th>Images</th>
                  <th>s / image</th>
                  <th>Images / day</th>
                  <th>Days</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => (
                  <tr key={a.authorId} data-testid="annotator-row" data-email={a.email}>
                    <td title={a.email}>{a.name}</td>
                    <td data-metric="masks">{a.masks}</td>
                    <td data-metric="secondsPerMask">{a.secondsPerMask ?? '—'}</td>
                    <td data-metric="clicksPerMask">{a.clicksPerMask ?? '—'}</td>
                    <td data-metric="masksPerHour">{a.masksPerHour ?? '—'}</td>
                    <td data-metric="imagesSubmitted">{a.imagesSubmitted}</td>
                    <td data-metric="secondsPerImage">{a.secondsPerImage ?? '—'}</td>
                    <td data-metric="imagesPerDay">{a.imagesPerDay ?? '—'}</td>
                    <td data-metric="activeDays">{a.activeDays}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
