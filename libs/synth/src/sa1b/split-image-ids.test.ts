import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from '../prng';
import { splitImageIds } from './split-image-ids';

describe('splitImageIds', () => {
  it('covers every id exactly once, sorted, with round(n·f) in val', () => {
    const ids = Array.from({ length: 37 }, (_, i) => i + 1);
    const { train, val } = splitImageIds(ids, 9, 0.2);
    expect(val).toHaveLength(7);
    expect([...train, ...val].sort((a, b) => a - b)).toEqual(ids);
    expect(train).toEqual([...train].sort((a, b) => a - b));
  });

  it('is deterministic per seed and differs across seeds', () => {
    const ids = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(splitImageIds(ids, 1, 0.3)).toEqual(splitImageIds(ids, 1, 0.3));
    expect(splitImageIds(ids, 1, 0.3).val).not.toEqual(splitImageIds(ids, 2, 0.3).val);
    expect(() => splitImageIds(ids, 1, 1.5)).toThrow(/valFraction/);
  });
});

describe('prng', () => {
  it('is deterministic and in range', () => {
    const a = createRng(123);
    const b = createRng(123);
    for (let i = 0; i < 1000; i++) {
      const v = a.next();
      expect(v).toBe(b.next());
      expect(v >= 0 && v < 1).toBe(true);
    }
    const r = createRng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(r.int(2, 4));
    expect([...seen].sort()).toEqual([2, 3, 4]);
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 3));
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(2, 1));
  });
});
