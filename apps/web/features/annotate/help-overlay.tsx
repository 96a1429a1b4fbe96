'use client';
import { GESTURES, SHORTCUTS } from './lib/keymap';

/** `extra`: rows the open project adds (its label keys). */
export function HelpOverlay({ onClose, extra = [] }: { onClose: () => void; extra?: readonly { keys: string; what: string }[] }) {
  return (
    <div className="help-overlay" role="dialog" aria-label="Keyboard shortcuts" data-testid="help-overlay" onClick={onClose}>
      <div className="help-card" onClick={(e) => e.stopPropagation()}>
        <h2>Shortcuts</h2>
        <dl className="help-list">
          {[...GESTURES, ...SHORTCUTS, ...extra].map((s) => (
            <div key={s.keys}>
              <dt>
                <kbd>{s.keys}</kbd>
              </dt>
              <dd>{s.what}</dd>
            </div>
          ))}
        </dl>
        <button type="button" className="button" onClick={onClose}>
          Close (?)
        </button>
      </div>
    </div>
  );
}
