'use client';
import { cssColour, maskColour } from './lib/mask-edit';
import type { MaskRow } from './lib/mask-rows';

const PROVENANCE_LABEL: Record<MaskRow['provenance'], string> = { manual: 'manual', prefill: 'pre-filled', auto: 'automatic' };

const SYNC_LABEL: Record<MaskRow['sync'], string> = { saved: '', pending: 'saving…', conflict: 'conflict', failed: 'not saved' };

export function MaskList({ rows, selected, onSelect }: { rows: readonly MaskRow[]; selected: string | null; onSelect: (row: MaskRow) => void }) {
  return (
    <section className="panel annotate-masks" data-testid="mask-list">
      <h2 className="panel-title">
        Masks <span className="muted" data-testid="mask-count">{rows.length}</span>
      </h2>
      {rows.length === 0 && <p className="muted small">None yet: click an object, then press Enter.</p>}
      <ol className="mask-rows">
        {rows.map((row, i) => (
          <li key={row.key}>
            <button
              type="button"
              className={row.key === selected ? 'mask-row mask-row-selected' : 'mask-row'}
              onClick={() => onSelect(row)}
              data-testid="mask-row"
              data-mask-id={row.maskId ?? ''}
              data-sync={row.sync}
              data-provenance={row.provenance}
              title={row.provenance === 'manual' ? undefined : 'made by the model: check it, fix it or delete it'}
            >
              <span className="mask-swatch" style={{ background: cssColour(maskColour(i)) }} aria-hidden />
              <span className="mask-name">
                #{i + 1} <span className={`prov-chip prov-${row.provenance}`}>{PROVENANCE_LABEL[row.provenance]}</span>
                {row.provenance !== 'manual' && row.predictedIou !== null && (
                  <span className="muted mask-scores" data-testid="mask-scores">
                    IoU {row.predictedIou.toFixed(2)}
                    {row.stabilityScore !== null && ` · stability ${row.stabilityScore.toFixed(2)}`}
                  </span>
                )}
              </span>
              <span className="muted small">{row.area !== null ? `${row.area} px` : ''}</span>
              {row.sync !== 'saved' && <span className={`sync-chip sync-${row.sync}`}>{SYNC_LABEL[row.sync]}</span>}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
