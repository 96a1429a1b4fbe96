'use client';
// A confirmation that asks for a reason (recorded in the audit trail): promoting over the gate,
// rolling a scope back. Modal, focus on the reason; Escape or Cancel closes it.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface ReasonDialogProps {
  title: string;
  /** what the decision means, shown above the reason field */
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: string | null;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
  testId: string;
}

export function ReasonDialog({ title, children, confirmLabel, pending, error, onConfirm, onCancel, testId }: ReasonDialogProps) {
  const [reason, setReason] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    field.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  const trimmed = reason.trim();
  return (
    <div className="dialog-backdrop">
      <div className="dialog panel" role="dialog" aria-modal="true" aria-labelledby={`${testId}-title`} data-testid={testId}>
        <h3 id={`${testId}-title`} className="panel-title">
          {title}
        </h3>
        <div className="dialog-body">{children}</div>
        <label className="field">
          <span>Reason (required; recorded in the audit trail)</span>
          <textarea ref={field} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={400} data-testid={`${testId}-reason`} />
        </label>
        {error && (
          <p className="inline-error" role="alert" data-testid={`${testId}-error`}>
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel} disabled={pending} data-testid={`${testId}-cancel`}>
            Cancel
          </button>
          <button type="button" className="button button-primary" onClick={() => onConfirm(trimmed)} disabled={pending || trimmed === ''} data-testid={`${testId}-confirm`}>
            {pending ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
