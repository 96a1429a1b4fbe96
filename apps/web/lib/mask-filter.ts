// Which masks a view shows or a bulk action touches: by provenance, by the model's score, by area.
// Pure functions shared by the annotator's tool and the image viewer.

export type MaskProvenance = 'manual' | 'prefill' | 'auto';

/** What the filters read of a mask (a MaskDto or a tool's mask row). */
export interface FilterableMask {
  provenance: MaskProvenance;
  /** the model's predicted IoU (null for masks drawn by hand) */
  predictedIou: number | null;
  /** pixels; null when not known yet (an unsent edit) */
  area: number | null;
}

export interface MaskFilter {
  /** only masks of these provenances (all when omitted) */
  provenances?: readonly MaskProvenance[];
  /** masks whose predicted IoU is below this (masks without a score never match) */
  scoreBelow?: number | null;
  /** masks smaller than this many pixels (masks of unknown area never match) */
  areaBelow?: number | null;
}

/** Masks a filter selects. With neither score nor area given, it selects by provenance alone. */
export function matchesMaskFilter(mask: FilterableMask, filter: MaskFilter): boolean {
  if (filter.provenances && !filter.provenances.includes(mask.provenance)) return false;
  const byScore = filter.scoreBelow !== undefined && filter.scoreBelow !== null;
  const byArea = filter.areaBelow !== undefined && filter.areaBelow !== null;
  if (!byScore && !byArea) return true;
  // either criterion selects the mask: "score below x OR area below y" is what a clean-up wants
  const lowScore = byScore && mask.predictedIou !== null && mask.predictedIou < filter.scoreBelow!;
  const small = byArea && mask.area !== null && mask.area < filter.areaBelow!;
  return lowScore || small;
}

export function filterMasks<T extends FilterableMask>(masks: readonly T[], filter: MaskFilter): T[] {
  return masks.filter((m) => matchesMaskFilter(m, filter));
}

/** The masks drawn when automatic ones (auto, and optionally pre-filled) are hidden. */
export function visibleMasks<T extends FilterableMask>(masks: readonly T[], hidden: { auto?: boolean; prefill?: boolean }): T[] {
  return masks.filter((m) => !(hidden.auto && m.provenance === 'auto') && !(hidden.prefill && m.provenance === 'prefill'));
}

/** Count of masks by provenance (for "hide 220 automatic masks"). */
export function countByProvenance(masks: readonly FilterableMask[]): Record<MaskProvenance, number> {
  const out: Record<MaskProvenance, number> = { manual: 0, prefill: 0, auto: 0 };
  for (const m of masks) out[m.provenance]++;
  return out;
}
