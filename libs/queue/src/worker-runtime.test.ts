import { describe, expect, it } from 'vitest';
import { jobCatalog, queueNames } from './job-catalog';
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
