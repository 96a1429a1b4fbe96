'use client';
// Every mask of the image with where it came from, its label, scores, area, author and time; a
// checkbox shows or hides each one. In review, a second checkbox rejects a mask on its own.
import type { MaskOrigin, ViewerMaskDto } from '@dataengine/contracts';
import { formatDateTime } from '../../lib/format';
import { ORIGIN_COLOURS, rgbCss } from './lib/mask-colours';

const ORIGIN_SHORT: Record<MaskOrigin, string> = { manual: 'manual', prefill: 'pre-fill', auto: 'auto', imported: 'import' };

/** Rows rendered at most (a crowded autogen image may hold thousands of masks; filter to narrow). */
const MAX_ROWS = 300;

export interface RejectPick {
  picked: ReadonlySet<string>;
  toggle: (maskId: string) => void;
}

const score = (v: number | null) => (v === null ? '—' : v.toFixed(2));
/** "11:18" today, else "06 Dec" (the full time is the cell's tooltip). */
function shortTime(iso: string): string {
  const at = new Date(iso);
  const today = at.toDateString() === new Date().toDateString();
  return today ? at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }) : at.toLocaleDateString('en-GB', { day: '2-digit', month: 'short' });
}

export function ViewerMaskTable({ masks, shown, hidden, onToggle, reject }: { masks: readonly ViewerMaskDto[]; shown: ReadonlySet<string>; hidden: ReadonlySet<string>; onToggle: (id: string) => void; reject?: RejectPick }) {
  const rows = masks.slice(0, MAX_ROWS);
  return (
    <div className="table-wrap viewer-table-wrap">
      <table className="table table-compact viewer-table" data-testid="viewer-mask-table">
        <thead>
          <tr>
            <th aria-label="shown">Show</th>
            <th>Origin</th>
            <th>Label</th>
            <th title="predicted IoU · stability score">IoU · stab.</th>
            <th>Area</th>
            <th>Author</th>
            <th>Made</th>
            {reject && <th>Reject</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={m.id} title={`mask ${m.id}`} data-testid="viewer-mask-row" data-mask-id={m.id} data-origin={m.origin} data-visible={shown.has(m.id) ? 'true' : 'false'} className={shown.has(m.id) ? '' : 'viewer-row-off'}>
              <td>
                <input type="checkbox" checked={!hidden.has(m.id)} onChange={() => onToggle(m.id)} aria-label={`show mask ${m.id}`} data-testid="viewer-mask-toggle" />
              </td>
              <td>
                <span className="swatch" style={{ background: rgbCss(ORIGIN_COLOURS[m.origin]) }} aria-hidden /> {ORIGIN_SHORT[m.origin]}
                {m.reviewVerdict === 'accepted' && <span className="badge badge-ready viewer-verdict" title="accepted in review">✓</span>}
              </td>
              <td data-testid="viewer-mask-label">{m.label ? <span className="label-chip" style={{ borderColor: m.label.color }}>{m.label.name}</span> : <span className="muted">—</span>}</td>
              <td className="mono">
                {score(m.predictedIou)}·{score(m.stabilityScore)}
              </td>
              <td className="mono">{m.area}</td>
              <td>{m.authorName ?? <span className="muted">{m.origin === 'imported' ? 'import' : 'model'}</span>}</td>
              <td className="small" title={`${formatDateTime(m.createdAt)}${m.checkpointName ? ` · checkpoint ${m.checkpointName}` : ''}`}>
                {shortTime(m.createdAt)}
              </td>
              {reject && (
                <td>
                  <input type="checkbox" checked={reject.picked.has(m.id)} onChange={() => reject.toggle(m.id)} aria-label={`reject mask ${m.id}`} data-testid="viewer-mask-reject" />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {masks.length > MAX_ROWS && <p className="muted small">… and {masks.length - MAX_ROWS} more masks: filter to narrow the list.</p>}
    </div>
  );
}
