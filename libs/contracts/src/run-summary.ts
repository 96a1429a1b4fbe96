// What a finished run produced, in words: the runs lists show it under the status, so a run that
// "succeeded" with nothing to show says so and why. Pure: it reads the counts the run recorded.
import { STAGE_LABELS, type RunKind, type RunStatus } from './domain';

export interface RunSummaryInput {
  kind: RunKind;
  status: RunStatus;
  total: number;
  done: number;
  failed: number;
  result: Record<string, unknown> | null;
}

/** A run that succeeded although some of its items (images, files) failed. */
export const runHasErrors = (run: Pick<RunSummaryInput, 'status' | 'failed'>): boolean => run.status === 'succeeded' && run.failed > 0;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function counts(result: Record<string, unknown> | null): Record<string, number> {
  const raw = result?.['counts'];
  if (typeof raw !== 'object' || raw === null) return {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

function threshold(result: Record<string, unknown> | null, key: string): number | null {
  const t = result?.['thresholds'];
  const v = typeof t === 'object' && t !== null ? (t as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' ? v : null;
}

/** The AMG filter stages in the order they run, and how each reads as a reason. */
function dropReasons(result: Record<string, unknown> | null): { key: string; every: string; phrase: string }[] {
  const iou = threshold(result, 'predIouThresh') ?? 'the threshold';
  const stability = threshold(result, 'stabilityScoreThresh') ?? 'the threshold';
  return [
    { key: 'predIou', every: `predicted IoU below ${iou} on every candidate`, phrase: `had a predicted IoU below ${iou}` },
    { key: 'stability', every: `stability score below ${stability} on every candidate`, phrase: `had a stability score below ${stability}` },
    { key: 'cropEdge', every: 'every candidate touched a crop edge', phrase: 'touched a crop edge' },
    { key: 'boxNms', every: 'every candidate overlapped a better one', phrase: 'overlapped a better mask' },
    { key: 'cropNms', every: 'every candidate overlapped one of a closer crop', phrase: 'overlapped a mask of a closer crop' },
    { key: 'smallRegions', every: 'every candidate was removed by the small-region clean-up', phrase: 'were removed by the small-region clean-up' },
    { key: 'duplicates', every: 'every mask duplicated a manual or pre-filled mask already on its image', phrase: 'duplicated existing masks' },
  ];
}

function autogenSummary(run: RunSummaryInput): string {
  const c = counts(run.result);
  const kept = c['masks'] ?? 0;
  const candidates = c['candidates'] ?? 0;
  const reasons = dropReasons(run.result).map((r) => ({ ...r, n: c[`dropped.${r.key}`] ?? 0 }));
  const dropped = reasons.filter((r) => r.n > 0).sort((a, b) => b.n - a.n);
  if (kept > 0) {
    const why = dropped.length ? ` (of ${candidates} candidates: ${dropped.map((r) => `${r.n} ${r.phrase}`).join(', ')})` : '';
    return `${plural(kept, 'automatic mask')} kept on ${plural(c['imagesWithMasks'] ?? 0, 'image')}${why}.`;
  }
  if (run.done === 0) return 'No image was processed.';
  if (candidates === 0) return `0 masks kept: the generator produced no candidates on ${plural(run.done, 'image')} — check the point grid (pointsPerSide) and the checkpoint.`;
  const main = dropped[0];
  if (!main) return `0 masks kept from ${candidates} candidates.`;
  if (main.key === 'duplicates') return `0 masks added: ${main.every} — nothing new to add there.`;
  const tip = main.key === 'predIou' || main.key === 'stability' ? 'lower the thresholds (predIouThresh, stabilityScoreThresh) or use a better checkpoint' : 'relax that filter in the overrides or use a better checkpoint';
  const lead = main.n === candidates ? main.every : `${main.n} of ${candidates} candidates ${main.phrase}`;
  const rest = dropped.slice(1).map((r) => `${r.n} ${r.phrase}`);
  return `0 masks kept: ${lead}${rest.length ? `; of the rest ${rest.join(', ')}` : ''} — ${tip}.`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const count = (v: unknown) => (typeof v === 'number' ? v : 0);

/** A registration from object storage: what was ingested, then what the listing skipped or already had. */
function registerSummary(run: RunSummaryInput, listing: Record<string, unknown>): string {
  const failed = run.failed > 0 ? `; ${plural(run.failed, 'object')} failed (listed with the run)` : '';
  const parts = [
    count(listing['alreadyRegistered']) > 0 ? `${plural(count(listing['alreadyRegistered']), 'object')} already in the project` : '',
    count(counts(run.result)['duplicates']) > 0 ? `${plural(count(counts(run.result)['duplicates']), 'duplicate')} of images it has` : '',
    count(listing['skipped']) > 0 ? `${plural(count(listing['skipped']), 'object')} skipped (not images by name)` : '',
  ].filter(Boolean);
  const lead = run.total === 0 ? 'No new image to ingest' : `${run.done} of ${plural(run.total, 'image')} ingested in place`;
  return `${lead}${failed}${parts.length ? `; ${parts.join(', ')}` : ''}.`;
}

/** One line on what the run produced; null while it runs or when there is nothing to say beyond its counts. */
export function describeRunResult(run: RunSummaryInput): string | null {
  if (run.status !== 'succeeded') return null;
  const failedNote = run.failed > 0 ? ` ${plural(run.failed, run.kind === 'ingest' ? 'file' : 'image')} of ${run.total} failed (see the error).` : '';
  switch (run.kind) {
    case 'autogen':
      return autogenSummary(run) + failedNote;
    case 'prefill': {
      const c = counts(run.result);
      const masks = c['masks'] ?? 0;
      const lead = masks > 0 ? `${plural(masks, 'pre-filled mask')} on ${plural(c['imagesWithMasks'] ?? 0, 'image')}; the images are ${STAGE_LABELS.semi_automatic.toLowerCase()} tasks now.` : '0 masks pre-filled: no detector box passed the box score and mask filters — lower the thresholds or retrain the detector.';
      return lead + failedNote;
    }
    case 'ingest':
      if (isRecord(run.result?.['listing'])) return registerSummary(run, run.result['listing']);
      return run.failed > 0 ? `${run.done} of ${run.total} images ingested; ${plural(run.failed, 'file')} refused.` : `${plural(run.done, 'image')} ingested.`;
    default:
      return failedNote ? failedNote.trim() : null;
  }
}
