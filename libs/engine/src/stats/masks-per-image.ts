// Masks per image as a histogram. SA-1B averages ~100 masks per image (SAM paper §5), so the
// buckets reach past 200; the first one holds the images nobody has segmented yet.
import type { MasksPerImageBucket } from './stats-schema';

export const MASKS_PER_IMAGE_BUCKETS: { min: number; max: number | null }[] = [
  { min: 0, max: 0 },
  { min: 1, max: 5 },
  { min: 6, max: 20 },
  { min: 21, max: 50 },
  { min: 51, max: 100 },
  { min: 101, max: 200 },
  { min: 201, max: null },
];

export type HistogramSeries = 'all' | 'manual' | 'prefill' | 'auto';

/** One row of "this many images have exactly n masks (of this series)". */
export interface ExactCount {
  series: HistogramSeries;
  n: number;
  images: number;
}

const label = (b: { min: number; max: number | null }) => (b.max === null ? `${b.min}+` : b.min === b.max ? String(b.min) : `${b.min}–${b.max}`);

export function bucketMasksPerImage(counts: ExactCount[]): MasksPerImageBucket[] {
  const buckets = MASKS_PER_IMAGE_BUCKETS.map((b) => ({ label: label(b), min: b.min, max: b.max, all: 0, manual: 0, prefill: 0, auto: 0 }));
  for (const c of counts) {
    const bucket = buckets.find((b) => c.n >= b.min && (b.max === null || c.n <= b.max));
    if (bucket) bucket[c.series] += c.images;
  }
  return buckets;
}
