import { describe, expect, it } from 'vitest';
import { countByProvenance, filterMasks, matchesMaskFilter, visibleMasks, type FilterableMask } from './mask-filter';

const m = (provenance: FilterableMask['provenance'], predictedIou: number | null, area: number | null): FilterableMask => ({ provenance, predictedIou, area });
const masks = [m('manual', null, 50), m('auto', 0.5, 5000), m('auto', 0.95, 40), m('auto', 0.95, 5000), m('prefill', 0.6, 3000), m('auto', null, null)];

describe('mask filters', () => {
  it('select by score below x or area below y, within the provenances asked for', () => {
    expect(filterMasks(masks, { provenances: ['auto'], scoreBelow: 0.8 })).toEqual([masks[1]]);
    expect(filterMasks(masks, { provenances: ['auto'], areaBelow: 100 })).toEqual([masks[2]]);
    expect(filterMasks(masks, { provenances: ['auto'], scoreBelow: 0.8, areaBelow: 100 })).toEqual([masks[1], masks[2]]);
    expect(filterMasks(masks, { scoreBelow: 0.8 })).toEqual([masks[1], masks[4]]);
    // without a score or an area a mask is never caught by that criterion
    expect(matchesMaskFilter(masks[5]!, { scoreBelow: 1, areaBelow: 1e9 })).toBe(false);
    // provenance alone
    expect(filterMasks(masks, { provenances: ['auto'] })).toHaveLength(4);
  });

  it('hide automatic (and optionally pre-filled) masks, and count by provenance', () => {
    expect(visibleMasks(masks, { auto: true })).toEqual([masks[0], masks[4]]);
    expect(visibleMasks(masks, { auto: true, prefill: true })).toEqual([masks[0]]);
    expect(visibleMasks(masks, {})).toHaveLength(6);
    expect(countByProvenance(masks)).toEqual({ manual: 1, prefill: 1, auto: 4 });
  });
});
