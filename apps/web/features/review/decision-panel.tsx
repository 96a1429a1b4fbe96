'use client';
// The reviewer's verdict on one image: accept its masks (minus any rejected one by one in the
// table), or reject the image with a reason that goes back to the annotator who submitted it.
import { REVIEW_SOURCE_LABELS, STAGE_LABELS, type ReviewDto } from '@dataengine/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../lib/api-error';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';

export function DecisionPanel({ review, masks, rejected, onDecided }: { review: ReviewDto; masks: number; rejected: readonly string[]; onDecided: (decided: ReviewDto) => void }) {
  const trpc = useTRPC();
  const [reason, setReason] = useState('');
  const decide = useMutation(trpc.review.decide.mutationOptions({ onSuccess: onDecided }));
  const machine = review.submittedBy === null;
  const pending = review.status === 'pending';
  return (
    <section className="panel review-decision" data-testid="review-decision" data-review-id={review.id} data-status={review.status}>
      <h2 className="panel-title">Review</h2>
      <p className="small">
        <span className={`stage-chip stage-${review.stage}`}>{STAGE_LABELS[review.stage]}</span> · {REVIEW_SOURCE_LABELS[review.source]}
        <br />
        {machine ? 'Machine output (no annotator)' : `Submitted by ${review.submittedBy!.name}`} · in the queue since {formatDateTime(review.createdAt)}
      </p>
      {!pending && (
        <p className="notice notice-info" data-testid="review-decided">
          {review.status === 'accepted' ? 'Accepted' : 'Rejected'} by {review.reviewer?.name ?? 'someone'} at {formatDateTime(review.decidedAt)}
          {review.reason ? `: “${review.reason}”` : ''}
        </p>
      )}
      {pending && (
        <>
          <button
            type="button"
            className="button button-primary review-accept"
            disabled={decide.isPending}
            onClick={() => decide.mutate({ reviewId: review.id, decision: 'accept', rejectMaskIds: [...rejected] })}
            data-testid="review-accept"
          >
            {rejected.length > 0 ? `Accept ${masks - rejected.length} masks, reject ${rejected.length}` : `Accept ${masks} mask${masks === 1 ? '' : 's'}`}
          </button>
          <label className="field review-reason-field">
            <span>Reason for rejecting</span>
            <textarea
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={3}
              maxLength={1000}
              placeholder={machine ? 'e.g. the masks split objects into pieces' : 'e.g. the bicycle behind the bench is missing'}
              data-testid="review-reason"
            />
          </label>
          <button type="button" className="button review-reject" disabled={decide.isPending || reason.trim().length < 3} onClick={() => decide.mutate({ reviewId: review.id, decision: 'reject', reason })} data-testid="review-reject">
            {machine ? 'Reject: delete these automatic masks' : `Reject: send back to ${review.submittedBy!.name}`}
          </button>
          <p className="muted small">
            {machine
              ? 'Rejecting deletes the automatic masks this run made on the image; accepting keeps them as reviewed.'
              : 'Rejecting returns the image to the head of the annotator’s queue with your reason; its resubmission comes back here.'}
          </p>
        </>
      )}
      {decide.isError && (
        <p className="inline-error" role="alert" data-testid="review-error">
          {errorMessage(decide.error)}
        </p>
      )}
    </section>
  );
}
