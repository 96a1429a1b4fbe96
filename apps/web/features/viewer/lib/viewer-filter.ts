// Which masks the viewer draws: by origin (manual, pre-filled, automatic, imported), label, score
// range and author, minus the masks hidden one by one. The provenance test is the shared mask
// filter's (lib/mask-filter.ts), so the tool and the viewer agree on what "automatic" selects.
import type { MaskOrigin } from '@dataengine/contracts';
import { matchesMaskFilter, type MaskProvenance } from '../../../lib/mask-filter';

export const ORIGINS: readonly MaskOrigin[] = ['manual', 'prefill', 'auto', 'imported'];
export const ORIGIN_LABELS: Record<MaskOrigin, string> = { manual: 'Manual', prefill: 'Pre-filled', auto: 'Automatic', imported: 'Imported' };
/** The key of "no label" and of "nobody" (the model's masks, imports) in the label and author filters. */
export const NONE = '';

export type ScoreKind = 'predictedIou' | 'stabilityScore';

export interface ViewerMask {
  id: string;
  origin: MaskOrigin;
  provenance: MaskProvenance;
  predictedIou: number | null;
  stabilityScore: number | null;
  area: number;
  authorId: string | null;
  labelId: string | null;
}

export interface ViewerFilter {
  origins: readonly MaskOrigin[];
  /** label ids to show (NONE: unlabelled); null: every label */
  labels: readonly string[] | null;
  /** author ids to show (NONE: the model's and imported masks); null: everyone */
  authors: readonly string[] | null;
  score: ScoreKind;
  /** masks with a score outside [min, max] are hidden; masks without one are not judged by it */
  scoreMin: number;
  scoreMax: number;
}

export const DEFAULT_FILTER: ViewerFilter = { origins: ORIGINS, labels: null, authors: null, score: 'predictedIou', scoreMin: 0, scoreMax: 1 };

export function matchesViewerFilter(mask: ViewerMask, filter: ViewerFilter): boolean {
  if (!filter.origins.includes(mask.origin)) return false;
  // imported masks keep the provenance their file gave; the origin decides for them
  if (mask.origin !== 'imported' && !matchesMaskFilter(mask, { provenances: filter.origins.filter((o): o is MaskProvenance => o !== 'imported') })) return false;
  if (filter.labels !== null && !filter.labels.includes(mask.labelId ?? NONE)) return false;
  if (filter.authors !== null && !filter.authors.includes(mask.authorId ?? NONE)) return false;
  const score = mask[filter.score];
  if (score !== null && (score < filter.scoreMin || score > filter.scoreMax)) return false;
  return true;
}

/** The masks drawn: those the filter selects and that were not hidden one by one, largest first (small ones stay on top). */
export function drawnMasks<T extends ViewerMask>(masks: readonly T[], filter: ViewerFilter, hidden: ReadonlySet<string>): T[] {
  return masks.filter((m) => !hidden.has(m.id) && matchesViewerFilter(m, filter)).sort((a, b) => b.area - a.area);
}

/** Whether the filter narrows anything down (the "reset filters" button shows then). */
export function isFiltered(filter: ViewerFilter): boolean {
  return filter.origins.length !== ORIGINS.length || filter.labels !== null || filter.authors !== null || filter.scoreMin > 0 || filter.scoreMax < 1;
}
