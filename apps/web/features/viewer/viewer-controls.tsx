'use client';
// The viewer's filters (origin, label, author, score range) and display settings (opacity,
// outline only, colour), with "hide all" / "show all" for the masks the filters select.
import type { MaskOrigin } from '@dataengine/contracts';
import { ORIGIN_COLOURS, rgbCss, type ColourBy } from './lib/mask-colours';
import { isFiltered, ORIGIN_LABELS, ORIGINS, type ScoreKind, type ViewerFilter } from './lib/viewer-filter';

export interface DisplaySettings {
  opacity: number;
  outlineOnly: boolean;
  colourBy: ColourBy;
}

interface Option {
  id: string;
  name: string;
  count: number;
}

export interface ViewerControlsProps {
  filter: ViewerFilter;
  onFilter: (filter: ViewerFilter) => void;
  display: DisplaySettings;
  onDisplay: (display: DisplaySettings) => void;
  originCounts: Record<MaskOrigin, number>;
  labels: Option[];
  authors: Option[];
  drawn: number;
  total: number;
  hiddenCount: number;
  onHideAll: () => void;
  onShowAll: () => void;
}

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

function OptionSelect({ label, value, options, allLabel, onChange, testId }: { label: string; value: readonly string[] | null; options: Option[]; allLabel: string; onChange: (v: string[] | null) => void; testId: string }) {
  return (
    <label className="field field-inline viewer-select">
      <span>{label}</span>
      <select value={value === null ? '*' : (value[0] ?? '*')} onChange={(e) => onChange(e.target.value === '*' ? null : [e.target.value])} data-testid={testId}>
        <option value="*">{allLabel}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name} ({o.count})
          </option>
        ))}
      </select>
    </label>
  );
}

export function ViewerControls(p: ViewerControlsProps) {
  const { filter, display } = p;
  const toggleOrigin = (origin: MaskOrigin) =>
    p.onFilter({ ...filter, origins: filter.origins.includes(origin) ? filter.origins.filter((o) => o !== origin) : ORIGINS.filter((o) => o === origin || filter.origins.includes(o)) });
  return (
    <div className="viewer-controls" data-testid="viewer-controls">
      <div className="viewer-origins" role="group" aria-label="Origin">
        {ORIGINS.map((origin) => (
          <label key={origin} className="checkbox viewer-origin">
            <input type="checkbox" checked={filter.origins.includes(origin)} onChange={() => toggleOrigin(origin)} data-testid={`filter-origin-${origin}`} />
            <span className="swatch" style={{ background: rgbCss(ORIGIN_COLOURS[origin]) }} aria-hidden />
            {ORIGIN_LABELS[origin]} <span className="muted">({p.originCounts[origin]})</span>
          </label>
        ))}
      </div>
      <div className="viewer-row">
        <OptionSelect label="Label" value={filter.labels} options={p.labels} allLabel="All labels" onChange={(labels) => p.onFilter({ ...filter, labels })} testId="filter-label" />
        <OptionSelect label="Author" value={filter.authors} options={p.authors} allLabel="Everyone" onChange={(authors) => p.onFilter({ ...filter, authors })} testId="filter-author" />
      </div>
      <div className="viewer-row">
        <label className="field field-inline viewer-select">
          <span>Score</span>
          <select value={filter.score} onChange={(e) => p.onFilter({ ...filter, score: e.target.value as ScoreKind })} data-testid="filter-score-kind">
            <option value="predictedIou">predicted IoU</option>
            <option value="stabilityScore">stability</option>
          </select>
        </label>
        <input type="number" min={0} max={1} step={0.05} value={filter.scoreMin} aria-label="lowest score" onChange={(e) => p.onFilter({ ...filter, scoreMin: clamp01(e.target.valueAsNumber) })} className="viewer-score" data-testid="filter-score-min" />
        <span className="muted">to</span>
        <input type="number" min={0} max={1} step={0.05} value={filter.scoreMax} aria-label="highest score" onChange={(e) => p.onFilter({ ...filter, scoreMax: clamp01(e.target.valueAsNumber) })} className="viewer-score" data-testid="filter-score-max" />
      </div>
      <p className="muted small viewer-hint">The score range judges only masks that have a score (the model&apos;s); masks drawn by hand stay unless you filter them out by origin.</p>
      <div className="viewer-row">
        <label className="field field-inline">
          <span>Opacity</span>
          <input type="range" min={0.1} max={1} step={0.05} value={display.opacity} onChange={(e) => p.onDisplay({ ...display, opacity: e.target.valueAsNumber })} data-testid="viewer-opacity" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={display.outlineOnly} onChange={(e) => p.onDisplay({ ...display, outlineOnly: e.target.checked })} data-testid="viewer-outline-only" />
          Outline only
        </label>
        <label className="field field-inline viewer-select">
          <span>Colour by</span>
          <select value={display.colourBy} onChange={(e) => p.onDisplay({ ...display, colourBy: e.target.value as ColourBy })} data-testid="viewer-colour-by">
            <option value="origin">origin</option>
            <option value="label">label</option>
            <option value="mask">mask</option>
          </select>
        </label>
      </div>
      <div className="viewer-row">
        <span className="small" data-testid="viewer-drawn-count" data-drawn={p.drawn} data-total={p.total}>
          Drawing <strong>{p.drawn}</strong> of {p.total} masks{p.hiddenCount > 0 ? ` (${p.hiddenCount} hidden by hand)` : ''}
        </span>
        <button type="button" className="button button-small" onClick={p.onHideAll} disabled={p.drawn === 0} data-testid="viewer-hide-all">
          Hide all
        </button>
        <button type="button" className="button button-small" onClick={p.onShowAll} disabled={p.hiddenCount === 0} data-testid="viewer-show-all">
          Show all
        </button>
        {isFiltered(filter) && (
          <button type="button" className="button button-small button-quiet" onClick={() => p.onFilter({ ...filter, origins: ORIGINS, labels: null, authors: null, scoreMin: 0, scoreMax: 1 })} data-testid="viewer-reset-filters">
            Reset filters
          </button>
        )}
      </div>
    </div>
  );
}
