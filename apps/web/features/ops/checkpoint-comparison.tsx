'use client';
// One evaluation: the candidate beside the checkpoint it would replace, both scored on the same
// held-out set (named by its id, images and masks), the gate's verdict in words, and the
// calibration of the one-click mask's predicted IoU. Nothing from another set appears here.
import type { CheckpointEvaluationDto } from '@dataengine/contracts';
import { formatDateTime } from '../../lib/format';
import { calibrationRows, comparisonRows, verdictText } from './lib/checkpoint-lineage';

const fmt = (v: number | null, key: string) => (v === null ? '—' : key === 'noc90' ? v.toFixed(2) : v.toFixed(3));
const signed = (v: number | null, key: string) => (v === null ? '' : `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v), key)}`);

export function CheckpointComparison({ evaluation }: { evaluation: CheckpointEvaluationDto }) {
  const { candidate, baseline, set } = evaluation;
  const bins = calibrationRows(candidate, baseline);
  return (
    <div className="comparison" data-testid="checkpoint-comparison" data-set-id={set?.id ?? ''}>
      <p className="small comparison-set" data-testid="checkpoint-set">
        {set ? (
          <>
            {candidate.name} and {baseline.name}, the active checkpoint it was to replace, both on held-out set <span className="mono">{set.id}</span>: {set.images} images, {set.masks} masks
            {set.excludedImages > 0 && ` (${set.excludedImages} val images left out: trained on)`}
          </>
        ) : (
          'Evaluated before held-out sets were recorded: the set is unknown'
        )}{' '}
        · <span className="muted">run {evaluation.runId.slice(0, 8)}, {formatDateTime(evaluation.at)}</span>
      </p>
      <table className="table table-numbers table-compact comparison-table">
        <thead>
          <tr>
            <th>Same set</th>
            <th data-side="candidate">{candidate.name}</th>
            <th data-side="baseline">{baseline.name} (baseline)</th>
            <th>Δ</th>
          </tr>
        </thead>
        <tbody>
          {comparisonRows(evaluation).map((row) => (
            <tr key={row.key} data-metric={row.key}>
              <th scope="row" title={row.title}>
                {row.label}
              </th>
              <td data-side="candidate">{fmt(row.candidate, row.key)}</td>
              <td data-side="baseline">{fmt(row.baseline, row.key)}</td>
              <td className={row.outcome ? `delta-${row.outcome}` : undefined} data-outcome={row.outcome ?? ''}>
                {signed(row.delta, row.key)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className={evaluation.gatePassed ? 'small verdict verdict-passed' : 'small verdict verdict-refused'} data-testid="checkpoint-verdict" data-gate={evaluation.gatePassed ? 'passed' : 'refused'}>
        Gate: {verdictText(evaluation)}
      </p>
      {bins.length > 0 && (
        <details className="small calibration" data-testid="checkpoint-calibration">
          <summary>Predicted vs true IoU of the one-click mask, by predicted IoU</summary>
          <table className="table table-numbers table-compact">
            <thead>
              <tr>
                <th>predicted IoU</th>
                <th>{candidate.name}: masks</th>
                <th>mean predicted</th>
                <th>mean true</th>
                <th>{baseline.name}: masks</th>
                <th>mean predicted</th>
                <th>mean true</th>
              </tr>
            </thead>
            <tbody>
              {bins.map((b) => (
                <tr key={b.lo}>
                  <th scope="row">
                    {b.lo.toFixed(1)}–{b.hi.toFixed(1)}
                  </th>
                  <td>{b.candidate.count}</td>
                  <td>{fmt(b.candidate.predicted, 'p')}</td>
                  <td>{fmt(b.candidate.actual, 'a')}</td>
                  <td>{b.baseline?.count ?? 0}</td>
                  <td>{fmt(b.baseline?.predicted ?? null, 'p')}</td>
                  <td>{fmt(b.baseline?.actual ?? null, 'a')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
