'use client';
// The "Format" choice of the export and import panels.

export function FormatField<F extends string>(props: {
  value: F;
  formats: readonly { value: F; label: string }[];
  onChange(format: F): void;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <label className="field">
      <span>Format</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as F)} disabled={props.disabled} data-testid={props.testId}>
        {props.formats.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
    </label>
  );
}
