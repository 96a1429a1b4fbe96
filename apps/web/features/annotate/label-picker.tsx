'use client';
// The label of new masks (and of the selected mask): one chip per label of the project, keys 1–9
// for the first nine, 0 for none. Shown only in projects that have labels.
import { LABEL_KEYS, type LabelDto } from '@dataengine/contracts';
import './labels.css';

interface LabelPickerProps {
  labels: readonly LabelDto[];
  active: string | null;
  onPick(labelId: string | null): void;
  /** the selected mask's label is changed too (its name, for the hint) */
  selectedMask: string | null;
}

export function LabelPicker({ labels, active, onPick, selectedMask }: LabelPickerProps) {
  return (
    <section className="panel label-picker" data-testid="label-picker" data-active-label-id={active ?? ''}>
      <h2 className="panel-title">Label</h2>
      <div className="label-chips" role="radiogroup" aria-label="Label of new masks">
        {labels.map((label, i) => (
          <button
            key={label.id}
            type="button"
            role="radio"
            aria-checked={active === label.id}
            className={active === label.id ? 'label-pick label-pick-active' : 'label-pick'}
            style={{ ['--label-colour' as string]: label.color }}
            onClick={() => onPick(label.id)}
            title={i < LABEL_KEYS ? `key ${i + 1}` : undefined}
            data-testid="label-pick"
            data-label-id={label.id}
          >
            {i < LABEL_KEYS && <kbd>{i + 1}</kbd>}
            <span className="label-pick-swatch" aria-hidden />
            {label.name}
          </button>
        ))}
        <button type="button" role="radio" aria-checked={active === null} className={active === null ? 'label-pick label-pick-active' : 'label-pick'} onClick={() => onPick(null)} title="key 0" data-testid="label-pick-none">
          <kbd>0</kbd> none
        </button>
      </div>
      <p className="muted small label-picker-hint">{selectedMask ? `A pick also relabels the selected mask (${selectedMask}).` : 'New masks get this label; select a mask to change its label.'}</p>
    </section>
  );
}

/** A mask's label in the list: a chip in the label's colour (an empty id: "no label", muted). */
export function LabelChip({ label }: { label: { id: string; name: string; color: string } }) {
  return (
    <span className={label.id ? 'label-chip' : 'label-chip label-chip-none'} style={{ ['--label-colour' as string]: label.color }} data-testid="mask-label">
      {label.name}
    </span>
  );
}
