import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPosition, splitOf } from './held-out-split';

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

describe('the held-out split by content hash', () => {
  it('places a hash by its first 32 bits in [0, 1)', () => {
    expect(hashPosition('00000000' + 'f'.repeat(56))).toBe(0);
    expect(hashPosition('80000000' + '0'.repeat(56))).toBe(0.5);
    expect(hashPosition('ffffffff' + '0'.repeat(56))).toBeCloseTo(1 - 2 ** -32, 12);
    expect(() => hashPosition('not-a-hash')).toThrow(RangeError);
  });

  it('auto holds out about the share, the same images every time; explicit choices win', () => {
    const hashes = Array.from({ length: 2000 }, (_, i) => hash(`image ${i}`));
    const val = hashes.filter((h) => splitOf('auto', h, 0.1) === 'val');
    expect(val.length).toBeGreaterThan(150);
    expect(val.length).toBeLessThan(250);
    expect(hashes.filter((h) => splitOf(undefined, h, 0.1) === 'val')).toEqual(val);
    // a larger share keeps every image the smaller one held out
    const wider = new Set(hashes.filter((h) => splitOf('auto', h, 0.3) === 'val'));
    expect(val.every((h) => wider.has(h))).toBe(true);
    expect(hashes.filter((h) => splitOf('auto', h, 0)).every((h) => splitOf('auto', h, 0) === 'train')).toBe(true);
    expect(splitOf('train', val[0]!, 0.1)).toBe('train');
    expect(splitOf('val', hash('x'), 0)).toBe('val');
  });
});
