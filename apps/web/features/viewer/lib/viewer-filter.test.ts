import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTER, drawnMasks, isFiltered, matchesViewerFilter, NONE, type ViewerMask } from './viewer-filter';

const mask = (id: string, over: Partial<ViewerMask> = {}): ViewerMask => ({ id, origin: 'manual', provenance: 'manual', predictedIou: null, stabilityScore: null, area: 100, authorId: 'ana', labelId: null, ...over });
const masks = [
  mask('m1', { area: 50, labelId: 'car' }),
  mask('p1', { origin: 'prefill', provenance: 'prefill', predictedIou: 0.95, stabilityScore: 0.97, authorId: null, area: 400, labelId: 'car' }),
  mask('a1', { origin: 'auto', provenance: 'auto', predictedIou: 0.62, stabilityScore: 0.9, authorId: null, area: 900 }),
  mask('a2', { origin: 'auto', provenance: 'auto', predictedIou: 0.91, stabilityScore: 0.8, authorId: null, area: 20 }),
  mask('i1', { origin: 'imported', provenance: 'auto', predictedIou: 0.5, authorId: null, area: 300, labelId: 'tree' }),
];
const ids = (list: ViewerMask[]) => list.map((m) => m.id);

describe('the viewer filter', () => {
  it('draws everything by default, largest first', () => {
    expect(ids(drawnMasks(masks, DEFAULT_FILTER, new Set()))).toEqual(['a1', 'p1', 'i1', 'm1', 'a2']);
    expect(isFiltered(DEFAULT_FILTER)).toBe(false);
  });

  it('filters by origin, telling imported masks from the model\'s', () => {
    expect(ids(drawnMasks(masks, { ...DEFAULT_FILTER, origins: ['auto'] }, new Set()))).toEqual(['a1', 'a2']);
    expect(ids(drawnMasks(masks, { ...DEFAULT_FILTER, origins: ['imported'] }, new Set()))).toEqual(['i1']);
    expect(isFiltered({ ...DEFAULT_FILTER, origins: ['auto'] })).toBe(true);
  });

  it('filters by label (unlabelled included on request) and by author (the model as nobody)', () => {
    expect(ids(drawnMasks(masks, { ...DEFAULT_FILTER, labels: ['car'] }, new Set()))).toEqual(['p1', 'm1']);
    expect(ids(drawnMasks(masks, { ...DEFAULT_FILTER, labels: [NONE] }, new Set()))).toEqual(['a1', 'a2']);
    expect(ids(drawnMasks(masks, { ...DEFAULT_FILTER, authors: ['ana'] }, new Set()))).toEqual(['m1']);
    expect(ids(drawnMasks(masks, { ...DEFAULT_FILTER, authors: [NONE] }, new Set()))).toEqual(['a1', 'p1', 'i1', 'a2']);
  });

  it('filters by a score range, leaving masks without a score alone', () => {
    const high = { ...DEFAULT_FILTER, scoreMin: 0.9 };
    expect(ids(drawnMasks(masks, high, new Set()))).toEqual(['p1', 'm1', 'a2']);
    expect(matchesViewerFilter(masks[2]!, { ...DEFAULT_FILTER, scoreMax: 0.7 })).toBe(true);
    expect(ids(drawnMasks(masks, { ...DEFAULT_FILTER, score: 'stabilityScore', scoreMin: 0.85 }, new Set()))).toEqual(['a1', 'p1', 'i1', 'm1']);
  });

  it('leaves out masks hidden one by one', () => {
    expect(ids(drawnMasks(masks, DEFAULT_FILTER, new Set(['a1', 'm1'])))).toEqual(['p1', 'i1', 'a2']);
  });
});
