'use client';
// A confirmation that asks for a reason (recorded in the audit trail): promoting over the gate,
// rolling a scope back. Modal, focus on the reason; Escape or Cancel closes it.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';

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
  // after the dialog's own focus on its confirm button: the reason comes first
  useEffect(() => field.current?.focus(), []);
  const trimmed = reason.trim();
  return (
    <ConfirmDialog title={title} testId={testId} onCancel={onCancel} onConfirm={() => onConfirm(trimmed)} confirmLabel={confirmLabel} canConfirm={trimmed !== ''} pending={pending} error={error}>
      {children}
      <label className="field">
        <span>Reason (required; recorded in the audit trail)</span>
        <textarea ref={field} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={400} data-testid={`${testId}-reason`} />
      </label>
    </ConfirmDialog>
  );
}
