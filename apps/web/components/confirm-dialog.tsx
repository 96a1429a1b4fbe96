'use client';
// A modal confirmation: title, what it means, an optional error, Cancel and a confirm button.
// Escape cancels; the confirm button has the focus (a caller's own field may take it instead —
// a child's effect runs first, so the caller's focus wins). Test ids: <testId>, -title, -error,
// -cancel, -confirm.
import { useEffect, useRef, type ReactNode } from 'react';

export interface ConfirmDialogProps {
  title: string;
  testId: string;
  children: ReactNode;
  onCancel: () => void;
  onConfirm: () => void;
  confirmLabel: string;
  canConfirm?: boolean;
  pending?: boolean;
  error?: string | null;
}

export function ConfirmDialog({ title, testId, children, onCancel, onConfirm, confirmLabel, canConfirm = true, pending = false, error = null }: ConfirmDialogProps) {
  const confirm = useRef<HTMLButtonElement>(null);
  // the latest onCancel, so a caller that re-renders (a list refetching behind the dialog) neither
  // re-binds the key nor moves the focus while someone types
  const cancel = useRef(onCancel);
  useEffect(() => {
    cancel.current = onCancel;
  });
  useEffect(() => {
    confirm.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') cancel.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="dialog-backdrop">
      <div className="dialog panel" role="dialog" aria-modal="true" aria-labelledby={`${testId}-title`} data-testid={testId}>
        <h3 id={`${testId}-title`} className="panel-title">
          {title}
        </h3>
        <div className="dialog-body">{children}</div>
        {error && (
          <p className="inline-error" role="alert" data-testid={`${testId}-error`}>
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel} disabled={pending} data-testid={`${testId}-cancel`}>
            Cancel (Esc)
          </button>
          <button ref={confirm} type="button" className="button button-primary" onClick={onConfirm} disabled={pending || !canConfirm} data-testid={`${testId}-confirm`}>
            {pending ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
