/** One mask's predicted IoU (the decoder's IoU head) beside its true IoU with the ground truth. */
export interface IouPair {
  predicted: number;
  actual: number;
}

/** Predicted vs true IoU over the masks whose predicted IoU falls in [lo, hi). */
export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  /** mean predicted IoU of the bin; null when it is empty */
  predicted: number | null;
  /** mean true IoU of the bin; null when it is empty */
  actual: number | null;
}

/** Ten bins of 0.1: enough to see where the IoU head over- or under-promises. */
export const CALIBRATION_BINS = 10;

/**
 * A reliability table: masks binned by predicted IoU into `bins` equal bins over [0, 1] (the last
 * one closed; a prediction outside [0, 1] counts in the nearest end bin), with the mean predicted
 * and mean true IoU of each. A calibrated head has predicted ≈ actual in every bin — what ops need
 * to choose a predicted-IoU threshold (prefill, autogen) that keeps masks of a known quality.
 */
export function calibrationBins(pairs: readonly IouPair[], bins = CALIBRATION_BINS): CalibrationBin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`calibrationBins: bins must be a positive integer, got ${bins}`);
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, actual: 0 }));
  for (const { predicted, actual } of pairs) {
    if (!Number.isFinite(predicted) || !Number.isFinite(actual)) continue;
    const b = sums[Math.min(bins - 1, Math.max(0, Math.floor(predicted * bins)))]!;
    b.count++;
    b.predicted += predicted;
    b.actual += actual;
  }
  return sums.map((s, i) => ({
    lo: i / bins,
    hi: (i + 1) / bins,
    count: s.count,
    predicted: s.count ? s.predicted / s.count : null,
    actual: s.count ? s.actual / s.count : null,
  }));
}

/** Mean |predicted − true IoU| over the pairs (NaN when there are none). */
export function calibrationError(pairs: readonly IouPair[]): number {
  const finite = pairs.filter((p) => Number.isFinite(p.predicted) && Number.isFinite(p.actual));
  return finite.length ? finite.reduce((s, p) => s + Math.abs(p.predicted - p.actual), 0) / finite.length : NaN;
}
