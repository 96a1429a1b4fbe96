import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '@dataengine/config';
import { OUTAGE_RETRY, outageRetryDelayMs } from '@dataengine/queue';
import { InfrastructureUnavailableError, waitOutOutage } from './infrastructure-outage';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return { logger, lines };
}

describe('waitOutOutage', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tries a step again on the queue\'s outage schedule until the database answers', async () => {
    const { logger, lines } = recordingLogger();
    let calls = 0;
    const done = waitOutOutage({ logger }, 'record the evaluation', async () => {
      calls++;
      if (calls < 4) throw refused();
      return 'recorded';
    }, { runId: 'r1' });
    await vi.advanceTimersByTimeAsync(outageRetryDelayMs(1) + outageRetryDelayMs(2) - 1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1 + outageRetryDelayMs(3));
    await expect(done).resolves.toBe('recorded');
    expect(calls).toBe(4);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.fields?.['retryInMs'])).toEqual([1_000, 2_000, 4_000]);
    expect(lines[0]!.fields).toMatchObject({ runId: 'r1', step: 'record the evaluation', source: 'the database (PostgreSQL)' });
  });

  it('gives up after OUTAGE_RETRY.attempts tries (about 150 s), saying what was away and for how long', async () => {
    const { logger } = recordingLogger();
    let calls = 0;
    const done = waitOutOutage({ logger }, 'record the evaluation', async () => {
      calls++;
      throw refused();
    });
    const settled = done.catch((error: unknown) => error);
    const total = Array.from({ length: OUTAGE_RETRY.attempts - 1 }, (_, i) => outageRetryDelayMs(i + 1)).reduce((a, b) => a + b, 0);
    expect(total).toBe(151_000);
    await vi.advanceTimersByTimeAsync(total);
    const error = await settled;
    expect(calls).toBe(OUTAGE_RETRY.attempts);
    expect(error).toBeInstanceOf(InfrastructureUnavailableError);
    expect((error as Error).message).toBe(`could not record the evaluation: the database (PostgreSQL) was unreachable for 151 s (12 tries; last error: connect ECONNREFUSED 127.0.0.1:5432)`);
    // an enclosing wait does not start over on it
    let outer = 0;
    await expect(waitOutOutage({ logger }, 'close the run', async () => {
      outer++;
      throw error;
    })).rejects.toBe(error);
    expect(outer).toBe(1);
  });

  it('throws any other failure at once', async () => {
    const { logger, lines } = recordingLogger();
    let calls = 0;
    const bad = new Error('trainer failed: no model.pt in the init checkpoint');
    await expect(waitOutOutage({ logger }, 'register the candidate', async () => {
      calls++;
      throw bad;
    })).rejects.toBe(bad);
    expect(calls).toBe(1);
    expect(lines).toEqual([]);
  });
});
