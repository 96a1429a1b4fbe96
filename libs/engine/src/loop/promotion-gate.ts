// When an evaluated candidate is promoted without an ops decision: its mean mIoU over 1, 3 and 5
// clicks beats the baseline's by the margin AND none of the three falls by more than the margin.
// One metric alone is too noisy on a handful of held-out images: a fine-tune that wins at one
// click while losing at five would otherwise be promoted and make annotation slower.
export interface GatedMetrics {
  miou1: number | null;
  miou3: number | null;
  miou5: number | null;
}

export interface PromotionVerdict {
  promote: boolean;
  /** mean over the click counts both checkpoints have, candidate minus baseline; null when none */
  meanGain: number | null;
  reason: string;
}

const CLICKS = ['miou1', 'miou3', 'miou5'] as const;

export function promotionVerdict(candidate: GatedMetrics, baseline: GatedMetrics, margin: number | null): PromotionVerdict {
  const pairs = CLICKS.flatMap((key) => {
    const c = candidate[key];
    const b = baseline[key];
    return c === null || b === null ? [] : [{ key, gain: c - b }];
  });
  if (pairs.length === 0) return { promote: false, meanGain: null, reason: 'no mIoU to compare' };
  const meanGain = pairs.reduce((sum, p) => sum + p.gain, 0) / pairs.length;
  const summary = pairs.map((p) => `${p.key} ${p.gain >= 0 ? '+' : ''}${p.gain.toFixed(4)}`).join(', ');
  if (margin === null) return { promote: false, meanGain, reason: `automatic promotion is off (${summary})` };
  const worst = pairs.reduce((a, b) => (b.gain < a.gain ? b : a));
  if (worst.gain < -margin) return { promote: false, meanGain, reason: `${worst.key} falls by ${(-worst.gain).toFixed(4)}, more than the margin ${margin} (${summary})` };
  if (meanGain < margin) return { promote: false, meanGain, reason: `mean mIoU gain ${meanGain.toFixed(4)} is below the margin ${margin} (${summary})` };
  return { promote: true, meanGain, reason: `mean mIoU gain ${meanGain.toFixed(4)} ≥ margin ${margin}, no click count worse by more than the margin (${summary})` };
}
