// One manager-uploaded COCO file with 100,000 annotations on one image (15.5 MB) must not hang the
// queues: the worker process imports it in batches within a bounded memory, an image uploaded
// meanwhile is ingested at once, and a cancel stops it within seconds, keeping (and reporting) what
// was imported. Real API, PostgreSQL, Redis and worker process (libs/testing import-drill.ts).
import { describe, expect, it } from 'vitest';
import { runImportDrill, type ImportDrillResult } from '@dataengine/testing';

/** The bound README states for the worker during such an import (measured ≈ 450 MB here). */
const PEAK_RSS_BOUND_MB = 600;

describe('a 100,000-annotation COCO import', () => {
  it('completes in short transactions within the memory bound, other queues flow, and a cancel stops it', async () => {
    const d: ImportDrillResult = await runImportDrill({ annotations: 100_000 });
    console.log(JSON.stringify(d, null, 1));
    expect(d.fileBytes).toBeGreaterThan(15_000_000);
    expect(d.import).toMatchObject({ status: 'succeeded', error: null, imported: 100_000, failed: 0, masksStored: 100_000 });
    expect(d.import.batches).toBe(100);
    expect(d.import.slowestBatchMs).toBeLessThan(1_000); // the transaction timeout is 5 s
    expect(d.worker.alive).toBe(true);
    expect(d.worker.peakRssMb).toBeLessThan(PEAK_RSS_BOUND_MB);
    // an upload during the import is ingested while the import still runs
    expect(d.ingestDuringImport.importRunningThroughout).toBe(true);
    expect(d.ingestDuringImport.ms).not.toBeNull();
    expect(d.ingestDuringImport.ms!).toBeLessThan(10_000);
    // the second import, cancelled part-way: stops within seconds, keeps and reports what it imported
    expect(d.cancel.status).toBe('cancelled');
    expect(d.cancel.ms!).toBeLessThan(5_000);
    expect(d.cancel.masksStored).toBeGreaterThan(0);
    expect(d.cancel.masksStored).toBeLessThan(100_000);
    expect(d.cancel.reportedImported).toBe(d.cancel.masksStored);
    expect(d.cancel.error).toMatch(/imported before the cancel and are kept; importing the same file again adds the rest/);
  }, 600_000);
});
