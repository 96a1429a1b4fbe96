import { describe, expect, it } from 'vitest';
import { isLastAttempt, jobCatalog, maxAttempts, OUTAGE_RETRY, queueNames, retryDelayMs } from './job-catalog';
import { assertProcessorsCoverCatalog, WorkerConfigurationError } from './worker-runtime';

describe('job catalog', () => {
  it('validates payloads and derives BullMQ-safe dedup keys', () => {
    expect(jobCatalog.ingest.payload.safeParse({ imageId: 0 }).success).toBe(false);
    expect(jobCatalog.ingest.payload.safeParse({ imageId: 5, runId: 'nope' }).success).toBe(false);
    const key = jobCatalog.ingest.dedupKey({ imageId: 5, runId: '3f1c4f7e-3f51-4bb5-9d2e-4d1d3c0f7b11' });
    expect(key).not.toContain(':'); // BullMQ refuses custom ids with ':'
    expect(jobCatalog.ingest.dedupKey({ imageId: 5 })).toBe('ingest-5-upload');
    expect(queueNames()).toContain('ingest');
  });

  it('a processor table must cover the catalog exactly', () => {
    const all = Object.fromEntries(Object.keys(jobCatalog).map((name) => [name, async () => undefined]));
    expect(() => assertProcessorsCoverCatalog(jobCatalog, all)).not.toThrow();
    expect(() => assertProcessorsCoverCatalog(jobCatalog, {})).toThrow(WorkerConfigurationError);
    const { embed: _missing, ...withoutEmbed } = all;
    expect(() => assertProcessorsCoverCatalog(jobCatalog, withoutEmbed)).toThrow('job "embed" (queue embed) has no processor');
    expect(() => assertProcessorsCoverCatalog(jobCatalog, { ...all, extra: async () => undefined })).toThrow(
      'processor "extra" matches no job in the catalog',
    );
  });
});

describe('retries', () => {
  it('ride out an outage of more than a minute with capped exponential waits, for every job that retries outages', () => {
    const retrying = Object.entries(jobCatalog).filter(([, d]) => d.retriesOutages);
    // all but the two whose use case closes its run on any error
    expect(Object.keys(jobCatalog).filter((name) => !retrying.some(([n]) => n === name)).sort()).toEqual(['evaluate', 'retrain']);
    expect(retrying.map(([name]) => name)).toEqual(expect.arrayContaining(['autogen', 'embed', 'export', 'import', 'ingest', 'prefill']));
    for (const [, definition] of retrying) {
      expect(maxAttempts(definition)).toBe(OUTAGE_RETRY.attempts);
      const waits = Array.from({ length: maxAttempts(definition) - 1 }, (_, i) => retryDelayMs(definition, i + 1, true));
      expect(waits.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
      expect(Math.max(...waits)).toBe(OUTAGE_RETRY.maxDelayMs);
      expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(120_000);
      expect(isLastAttempt(definition, OUTAGE_RETRY.attempts - 1, true)).toBe(false);
      expect(isLastAttempt(definition, OUTAGE_RETRY.attempts, true)).toBe(true);
    }
  });

  it('keep a job\'s own attempts and backoff for failures that are not an outage', () => {
    const embed = jobCatalog.embed;
    expect([1, 2].map((n) => retryDelayMs(embed, n, false))).toEqual([2_000, 4_000]);
    expect(isLastAttempt(embed, embed.attempts - 1, false)).toBe(false);
    expect(isLastAttempt(embed, embed.attempts, false)).toBe(true);
    // jobs that close their run on any error get no outage budget
    expect(maxAttempts(jobCatalog.retrain)).toBe(1);
    expect(isLastAttempt(jobCatalog.retrain, 1, true)).toBe(true);
    expect(retryDelayMs(jobCatalog.evaluate, 1, true)).toBe(10_000);
  });
});
