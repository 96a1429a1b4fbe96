'use client';
// Shown above the image when a reviewer sent it back: who, when and why, so the annotator fixes
// exactly what was wrong before submitting it again.
import type { TaskReturnDto } from '@dataengine/contracts';
import { formatDateTime } from '../../lib/format';

export function ReviewReturnNotice({ returned }: { returned: TaskReturnDto }) {
  return (
    <div className="notice notice-warning review-return" role="status" data-testid="review-returned">
      <strong>Returned by review</strong>
      {returned.reviewer ? ` — ${returned.reviewer}` : ''}, {formatDateTime(returned.decidedAt)}:{' '}
      <span data-testid="review-returned-reason">{returned.reason}</span>
      <span className="muted small"> Fix the masks and submit the image again; it goes back to review.</span>
    </div>
  );
}
