'use client';
// Bulk controls for images crowded with model masks: hide the automatic ones, the masks' opacity,
// outlines only, and delete by filter (predicted IoU below x, area below y) — the count is shown
// before anything is deleted, and a confirmation asks once more.
import { useMemo, useState } from 'react';
import { filterMasks, type MaskFilter } from '../../lib/mask-filter';
import type { MaskRow } from './lib/mask-rows';
import type { SavedMaskStyle } from './use-current-mask';

export interface MaskViewState extends SavedMaskStyle {
  hideAuto: boolean;
}

export const DEFAULT_VIEW: MaskViewState = { opacity: 0.43, outline: false, hideAuto: false };

interface Props {
  rows: readonly MaskRow[];
  view: MaskViewState;
  onView: (view: MaskViewState) => void;
  /** the rows this user may delete (the access policy) */
  deletable: (row: MaskRow) => boolean;
  onDelete: (rows: MaskRow[], what: string) => void;
}

const num = (text: string): number | null => (text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text));

export function MaskViewControls({ rows, view, onView, deletable, onDelete }: Props) {
  const [scoreBelow, setScoreBelow] = useState('');
  const [areaBelow, setAreaBelow] = useState('');
  const autoCount = rows.filter((r) => r.provenance === 'auto').length;
  const modelRows = useMemo(() => rows.filter((r) => r.provenance !== 'manual'), [rows]);
  const filter: MaskFilter = { provenances: ['auto', 'prefill'], scoreBelow: num(scoreBelow), areaBelow: num(areaBelow) };
  const active = filter.scoreBelow !== null || filter.areaBelow !== null;
  const matched = active ? filterMasks(modelRows, filter).filter(deletable) : [];
  const what = [filter.scoreBelow !== null ? `predicted IoU below ${filter.scoreBelow}` : null, filter.areaBelow !== null ? `smaller than ${filter.areaBelow} px` : null].filter(Boolean).join(' or ');
  return (
    <section className="panel mask-view-controls" data-testid="mask-view-controls">
      <h2 className="panel-title">View</h2>
      <label className="checkbox small">
        <input type="checkbox" checked={view.hideAuto} onChange={(e) => onView({ ...view, hideAuto: e.target.checked })} disabled={autoCount === 0 && !view.hideAuto} data-testid="hide-auto" />
        Hide automatic masks ({autoCount})
      </label>
      <label className="checkbox small">
        <input type="checkbox" checked={view.outline} onChange={(e) => onView({ ...view, outline: e.target.checked })} data-testid="outline-only" />
        Outlines only
      </label>
      <label className="field-inline small opacity-field">
        Opacity
        <input type="range" min={0} max={100} step={5} value={Math.round(view.opacity * 100)} onChange={(e) => onView({ ...view, opacity: Number(e.target.value) / 100 })} disabled={view.outline} aria-label="Mask opacity" data-testid="mask-opacity" />
        <span className="muted">{Math.round(view.opacity * 100)}%</span>
      </label>
      {modelRows.length > 0 && (
        <div className="bulk-delete" data-testid="bulk-delete">
          <div className="small">Delete model masks with</div>
          <label className="field-inline small">
            IoU &lt;
            <input type="number" min={0} max={1} step={0.05} value={scoreBelow} onChange={(e) => setScoreBelow(e.target.value)} placeholder="0.8" data-testid="bulk-score" />
          </label>
          <label className="field-inline small">
            or area &lt;
            <input type="number" min={0} step={50} value={areaBelow} onChange={(e) => setAreaBelow(e.target.value)} placeholder="px" data-testid="bulk-area" />
          </label>
          <button type="button" className="button button-small" disabled={matched.length === 0} onClick={() => onDelete(matched, `${matched.length} pre-filled or automatic mask${matched.length === 1 ? '' : 's'} ${what}`)} data-testid="bulk-delete-button" data-count={matched.length}>
            {active ? `Delete ${matched.length}…` : 'Delete…'}
          </button>
        </div>
      )}
    </section>
  );
}
