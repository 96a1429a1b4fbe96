'use client';
// The tool's questions: "no objects here?" before submitting an image without masks, why an image
// is skipped, and how many masks a bulk delete removes. Modal; Escape cancels, Enter confirms.
import { useState } from 'react';
import { ConfirmDialog as Dialog } from '../../components/confirm-dialog';

export function EmptySubmitDialog({ onCancel, onConfirm, pending }: { onCancel: () => void; onConfirm: () => void; pending: boolean }) {
  return (
    <Dialog title="No objects here?" testId="confirm-empty" onCancel={onCancel} onConfirm={onConfirm} confirmLabel="Yes, nothing to annotate — submit" pending={pending}>
      <p>This image has no masks. Submit it as an image with no objects to annotate? If you cannot tell, skip it instead (<kbd>X</kbd>) and say why.</p>
    </Dialog>
  );
}

export const SKIP_REASONS = [
  'Cannot tell the objects apart (blurry, too dark, too small)',
  'The image is broken or shows nothing usable',
  'Not an image for this project',
] as const;

export function SkipDialog({ onCancel, onConfirm, pending, error }: { onCancel: () => void; onConfirm: (reason: string) => void; pending: boolean; error: string | null }) {
  const [choice, setChoice] = useState<number>(0);
  const [other, setOther] = useState('');
  const reason = choice < SKIP_REASONS.length ? SKIP_REASONS[choice]! : other.trim();
  return (
    <Dialog title="Skip this image" testId="skip-dialog" onCancel={onCancel} onConfirm={() => onConfirm(reason)} confirmLabel="Skip and go to the next image" canConfirm={reason !== ''} pending={pending} error={error}>
      <p className="small muted">It goes to another annotator and never comes back to you; when two annotators skip it, a manager looks at it. Masks you saved on it stay.</p>
      <fieldset className="skip-reasons">
        <legend className="small">Why?</legend>
        {[...SKIP_REASONS, 'Other'].map((label, i) => (
          <label key={label} className="checkbox">
            <input type="radio" name="skip-reason" checked={choice === i} onChange={() => setChoice(i)} data-testid={`skip-reason-${i}`} />
            {label}
          </label>
        ))}
        {choice === SKIP_REASONS.length && (
          <input type="text" value={other} onChange={(e) => setOther(e.target.value)} maxLength={500} placeholder="say why" aria-label="Other reason" data-testid="skip-other" autoFocus />
        )}
      </fieldset>
    </Dialog>
  );
}

export function BulkDeleteDialog({ count, what, onCancel, onConfirm }: { count: number; what: string; onCancel: () => void; onConfirm: () => void }) {
  return (
    <Dialog title={`Delete ${count} mask${count === 1 ? '' : 's'}?`} testId="bulk-delete-dialog" onCancel={onCancel} onConfirm={onConfirm} confirmLabel={`Delete ${count}`}>
      <p>
        {what}. They are removed from this image for everyone (kept in the database as deleted).
      </p>
    </Dialog>
  );
}
