'use client';
import { GESTURES, SHORTCUTS } from './lib/keymap';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="help-overlay" role="dialog" aria-label="Keyboard shortcuts" data-testid="help-overlay" onClick={onClose}>
      <div className="help-card" onClick={(e) => e.stopPropagation()}>
        <h2>Shortcuts</h2>
        <dl className="help-list">
          {[...GESTURES, ...SHORTCUTS].map((s) => (
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
