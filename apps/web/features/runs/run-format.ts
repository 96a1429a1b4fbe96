// How the runs tables word a run's live state. Pure.
import type { RunDto } from '@dataengine/contracts';

export function formatEta(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.round(seconds / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const LIVE: RunDto['status'][] = ['queued', 'running'];
export const isLive = (run: Pick<RunDto, 'status'>): boolean => LIVE.includes(run.status);

/** The scalar fields of a single-job run's progress (retrain: step, loss, …), as "key value" pairs. */
export function progressDetail(progress: RunDto['progress']): string {
  if (!progress) return '';
  return Object.entries(progress)
    .filter(([key, v]) => key !== 'etaSeconds' && (typeof v === 'number' || typeof v === 'string'))
    .slice(0, 5)
    .map(([key, v]) => `${key} ${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(3) : v}`)
    .join(' · ');
}

/** A succeeded export run has a file to download. */
export const hasDownload = (run: Pick<RunDto, 'kind' | 'status'>): boolean => run.kind === 'export' && run.status === 'succeeded';

/** The export artifact's download, through the web origin's proxy to the API's artifact route. */
export const artifactUrl = (runId: string): string => `/api/runs/${encodeURIComponent(runId)}/artifact`;

/**
 * An error line as a head the user reads and the technical detail behind "details": a
 * parenthesised part of 40 characters or more (a decoder's message, bytes, a stack line) folds away.
 */
export function splitError(error: string): [string, string | null] {
  const match = /\s*\(([^()]{40,})\)/.exec(error);
  if (!match) return [error, null];
  return [(error.slice(0, match.index) + error.slice(match.index + match[0].length)).trim(), match[1]!];
}
