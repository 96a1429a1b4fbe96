'use client';
import { cssColour, maskColour } from './lib/mask-edit';
import { LabelChip } from './label-picker';
import type { MaskRow } from './lib/mask-rows';

const PROVENANCE_LABEL: Record<MaskRow['provenance'], string> = { manual: 'manual', prefill: 'pre-filled', auto: 'automatic' };

const SYNC_LABEL: Record<MaskRow['sync'], string> = { saved: '', pending: 'saving…', conflict: 'conflict', failed: 'not saved' };

interface MaskListProps {
  rows: readonly MaskRow[];
  selected: string | null;
  onSelect: (row: MaskRow) => void;
  /** why a mask may not be changed here (the access policy), null when it may */
  lockOf: (row: MaskRow) => string | null;
  /** a row's number and colour (its place in the image's full list, when some are hidden) */
  indexOf?: (row: MaskRow) => number;
}

export function MaskList({ rows, selected, onSelect, lockOf, indexOf }: MaskListProps) {
  return (
    <section className="panel annotate-masks" data-testid="mask-list">
      <h2 className="panel-title">
        Masks <span className="muted" data-testid="mask-count">{rows.length}</span>
      </h2>
      {rows.length === 0 && <p className="muted small">None yet: click an object, then press Enter.</p>}
      <ol className="mask-rows">
        {rows.map((row, i) => (
          <li key={row.key}>
            <MaskListRow row={row} index={indexOf ? indexOf(row) : i} selected={row.key === selected} locked={lockOf(row)} onSelect={onSelect} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function MaskListRow({ row, index, selected, locked, onSelect }: { row: MaskRow; index: number; selected: boolean; locked: string | null; onSelect: (row: MaskRow) => void }) {
  return (
    <button
      type="button"
      className={selected ? 'mask-row mask-row-selected' : 'mask-row'}
      onClick={() => onSelect(row)}
      data-testid="mask-row"
      data-mask-id={row.maskId ?? ''}
      data-sync={row.sync}
      data-provenance={row.provenance}
      data-label-id={row.label?.id || ''}
      data-locked={locked ? 'true' : 'false'}
      title={locked ?? (row.provenance === 'manual' ? undefined : 'made by the model: check it, fix it or delete it')}
    >
      <span className="mask-swatch" style={{ background: row.label ? row.label.color : cssColour(maskColour(index)) }} aria-hidden />
      <span className="mask-name">
        #{index + 1} {row.label && <LabelChip label={row.label} />} <span className={`prov-chip prov-${row.provenance}`}>{PROVENANCE_LABEL[row.provenance]}</span>
        {row.provenance !== 'manual' && row.predictedIou !== null && (
          <span className="muted mask-scores" data-testid="mask-scores">
            IoU {row.predictedIou.toFixed(2)}
            {row.stabilityScore !== null && ` · stability ${row.stabilityScore.toFixed(2)}`}
          </span>
        )}
      </span>
      <span className="muted small">{row.area !== null ? `${row.area} px` : ''}</span>
      {locked && (
        <span className="sync-chip" data-testid="mask-locked">
          read-only
        </span>
      )}
      {row.sync !== 'saved' && <span className={`sync-chip sync-${row.sync}`}>{SYNC_LABEL[row.sync]}</span>}
    </button>
  );
}
