import { describe, expect, it } from 'vitest';
import { WaitGate } from './wait-gate';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gate = (over: Partial<ConstructorParameters<typeof WaitGate>[0]> = {}) =>
  new WaitGate({ concurrency: 2, maxWaiting: 3, maxWaitMs: 1_000, busy: () => new Error('busy'), ...over });

describe('WaitGate', () => {
  it('runs at most `concurrency` tasks at once and the rest in arrival order', async () => {
    const g = gate({ maxWaiting: 10 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        g.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          order.push(i);
          await sleep(10);
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(g.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses at once beyond maxWaiting, and a waiter after maxWaitMs', async () => {
    const g = gate({ maxWaitMs: 50 });
    const slow = () => g.run(() => sleep(200));
    const results = await Promise.allSettled([slow(), slow(), slow(), slow(), slow(), slow()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(() => g.assertRoom()).not.toThrow();
    expect(g.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot when a task throws', async () => {
    const g = gate({ concurrency: 1 });
    await expect(g.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(g.run(async () => 'next')).resolves.toBe('next');
  });
});
