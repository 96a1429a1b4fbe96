'use client';
// What happened to the image: its task in each stage (who, status, active time) and its reviews.
import { REVIEW_SOURCE_LABELS, STAGE_LABELS, type ImageViewDto } from '@dataengine/contracts';
import { formatDateTime } from '../../lib/format';

const seconds = (ms: number) => (ms > 0 ? `${Math.round(ms / 100) / 10} s` : '—');

export function ImageFacts({ view }: { view: ImageViewDto }) {
  return (
    <div className="viewer-facts">
      <h3 className="subsection-title">Work on this image</h3>
      {view.tasks.length === 0 ? (
        <p className="muted small">No task yet (the image is not in any annotator&apos;s queue).</p>
      ) : (
        <table className="table table-compact" data-testid="viewer-tasks">
          <thead>
            <tr>
              <th>Stage</th>
              <th>Status</th>
              <th>Annotator</th>
              <th>Active time</th>
              <th>Submitted</th>
            </tr>
          </thead>
          <tbody>
            {view.tasks.map((t) => (
              <tr key={t.stage} data-testid="viewer-task" data-stage={t.stage} data-status={t.status}>
                <td>{STAGE_LABELS[t.stage]}</td>
                <td>
                  {t.status}
                  {t.returnedTo && <span className="muted small"> · returned to {t.returnedTo}</span>}
                </td>
                <td>{t.annotator ?? '—'}</td>
                <td className="mono">{seconds(t.activeMs)}</td>
                <td className="small">{formatDateTime(t.submittedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {view.reviews.length > 0 && (
        <>
          <h3 className="subsection-title">Reviews</h3>
          <ul className="viewer-reviews" data-testid="viewer-reviews">
            {view.reviews.map((r) => (
              <li key={r.id} data-testid="viewer-review" data-status={r.status}>
                <span className={`badge review-${r.status}`}>{r.status}</span> {STAGE_LABELS[r.stage]} · {REVIEW_SOURCE_LABELS[r.source]}
                {r.reviewer && (
                  <span className="muted small">
                    {' '}
                    — {r.reviewer.name}, {formatDateTime(r.decidedAt)}
                  </span>
                )}
                {r.reason && <div className="small review-reason">“{r.reason}”</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
