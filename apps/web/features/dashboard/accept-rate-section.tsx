'use client';
// Accept rates of the model's masks per checkpoint: of the pre-filled and automatic masks each
// checkpoint made, the share kept as made — the number that tells ops whether stage 3 is ready.
import { ACCEPT_RATE_DEFINITION } from '@dataengine/contracts';
import type { ProjectStats } from './lib/stats-types';

type Rate = ProjectStats['acceptRates'][number];

const PROVENANCE_NAME: Record<Rate['provenance'], string> = { prefill: 'pre-filled', auto: 'automatic' };
const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10} %`);

/** The latest checkpoint's automatic masks, else its pre-filled ones: the headline. */
function headline(rates: Rate[]): Rate | null {
  const decided = rates.filter((r) => r.acceptRate !== null);
  return [...decided].reverse().find((r) => r.provenance === 'auto') ?? decided.at(-1) ?? null;
}

export function AcceptRateSection({ stats }: { stats: ProjectStats }) {
  const rates = stats.acceptRates;
  const top = headline(rates);
  return (
    <section className="panel dashboard-section" aria-labelledby="accept-title" data-testid="accept-rates">
      <h2 id="accept-title" className="panel-title">
        Accept rate of the model&apos;s masks
      </h2>
      <p className="muted small" data-testid="accept-rate-definition">
        {ACCEPT_RATE_DEFINITION}
      </p>
      {rates.length === 0 ? (
        <p className="empty">No pre-filled or automatic masks yet: prefill (stage 2) and autogen (stage 3) runs make them.</p>
      ) : (
        <>
          {top && (
            <p className="accept-headline" data-testid="accept-headline">
              <strong>{percent(top.acceptRate)}</strong> of the {PROVENANCE_NAME[top.provenance]} masks of <strong>{top.checkpointName}</strong> were kept ({top.kept} of {top.kept + top.edited + top.deleted + top.rejected} decided; {top.pending} pending).
            </p>
          )}
          <div className="table-wrap">
            <table className="table table-numbers" data-testid="accept-rate-table">
              <thead>
                <tr>
                  <th>Checkpoint</th>
                  <th>Masks</th>
                  <th>Made</th>
                  <th>Kept</th>
                  <th>Edited</th>
                  <th>Deleted</th>
                  <th>Rejected in review</th>
                  <th>Pending</th>
                  <th>Accept rate</th>
                </tr>
              </thead>
              <tbody>
                {rates.map((r) => (
                  <tr key={`${r.checkpointKey}-${r.provenance}`} data-testid="accept-rate-row" data-checkpoint={r.checkpointName} data-provenance={r.provenance}>
                    <td>{r.checkpointName}</td>
                    <td>{PROVENANCE_NAME[r.provenance]}</td>
                    <td data-metric="made">{r.made}</td>
                    <td data-metric="kept">{r.kept}</td>
                    <td data-metric="edited">{r.edited}</td>
                    <td data-metric="deleted">{r.deleted}</td>
                    <td data-metric="rejected">{r.rejected}</td>
                    <td data-metric="pending">{r.pending}</td>
                    <td data-metric="acceptRate" data-value={r.acceptRate ?? ''}>
                      <strong>{percent(r.acceptRate)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
