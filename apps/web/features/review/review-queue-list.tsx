'use client';
// The queue beside the image under review: pending reviews oldest first, or the decided ones.
import { STAGE_LABELS, type ReviewDto } from '@dataengine/contracts';
import Link from 'next/link';
import { formatDateTime } from '../../lib/format';

export function ReviewQueueList({ projectId, items, selectedId, tab }: { projectId: string; items: ReviewDto[]; selectedId: string | null; tab: 'pending' | 'decided' }) {
  if (items.length === 0) {
    return (
      <p className="empty small" data-testid="review-queue-empty">
        {tab === 'pending' ? 'Nothing to review. Submitted images enter the queue by the project’s QA sampling.' : 'No decisions yet.'}
      </p>
    );
  }
  return (
    <ol className="review-queue" data-testid="review-queue">
      {items.map((r) => (
        <li key={r.id} className={r.id === selectedId ? 'review-item review-item-selected' : 'review-item'} data-testid="review-item" data-review-id={r.id} data-image-id={r.imageId} data-status={r.status}>
          <Link href={`/projects/${projectId}/review?tab=${tab}&review=${r.id}`} className="review-item-link">
            {r.thumbUrl ? <img src={r.thumbUrl} alt="" className="review-thumb" loading="lazy" /> : <span className="review-thumb" />}
            <span className="review-item-text">
              <strong>{r.fileName}</strong>
              <span className="small muted">
                {STAGE_LABELS[r.stage]} · {r.submittedBy?.name ?? 'autogen'}
              </span>
              <span className="small muted">{tab === 'pending' ? formatDateTime(r.createdAt) : `${r.status} · ${r.reviewer?.name ?? ''}`}</span>
            </span>
          </Link>
        </li>
      ))}
    </ol>
  );
}
