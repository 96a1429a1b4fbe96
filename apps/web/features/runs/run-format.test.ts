import { describe, expect, it } from 'vitest';
import { artifactUrl, formatEta, hasDownload, isLive, progressDetail, splitError } from './run-format';

describe('run formatting', () => {
  it('words an ETA', () => {
    expect(formatEta(null)).toBe('—');
    expect(formatEta(0.2)).toBe('1 s');
    expect(formatEta(42)).toBe('42 s');
    expect(formatEta(600)).toBe('10 min');
    expect(formatEta(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
  });

  it('lists the scalar progress fields but the ETA', () => {
    expect(progressDetail({ step: 120, loss: 0.412345, etaSeconds: 30, phase: 'train', history: [1, 2] })).toBe('step 120 · loss 0.412 · phase train');
    expect(progressDetail(null)).toBe('');
  });

  it('knows which runs can still be cancelled', () => {
    expect(isLive({ status: 'queued' })).toBe(true);
    expect(isLive({ status: 'succeeded' })).toBe(false);
  });

  it('offers a download for succeeded export runs only, through the same-origin artifact route', () => {
    expect(hasDownload({ kind: 'export', status: 'succeeded' })).toBe(true);
    expect(hasDownload({ kind: 'export', status: 'running' })).toBe(false);
    expect(hasDownload({ kind: 'export', status: 'failed' })).toBe(false);
    expect(hasDownload({ kind: 'import', status: 'succeeded' })).toBe(false);
    expect(artifactUrl('6f1c2a8e-0000-4000-8000-000000000001')).toBe('/api/runs/6f1c2a8e-0000-4000-8000-000000000001/artifact');
  });
});

describe('splitError', () => {
  it('folds a long parenthesised technical part away and keeps short ones', () => {
    expect(splitError('cut.png: the image data is damaged or truncated (VipsPngload: libspng read error, image truncated at byte 200); re-export it')).toEqual([
      'cut.png: the image data is damaged or truncated; re-export it',
      'VipsPngload: libspng read error, image truncated at byte 200',
    ]);
    expect(splitError('2 of 4 images failed (see below)')).toEqual(['2 of 4 images failed (see below)', null]);
  });
});
