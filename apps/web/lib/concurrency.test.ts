import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from './concurrency';

describe('forEachConcurrently', () => {
  it('visits every item once with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 2, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, item % 3));
      seen.push(item);
      inFlight--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(2);
  });

  it('handles an empty list, and rejects with the first failure', async () => {
    await forEachConcurrently([], 3, async () => undefined);
    await expect(forEachConcurrently([1, 2], 2, async (i) => (i === 2 ? Promise.reject(new Error('boom')) : undefined))).rejects.toThrow('boom');
  });
});
