// One manager-uploaded COCO file with 100,000 annotations on one image (15.5 MB), imported by a
// worker process while another image is uploaded, then imported again and cancelled part-way.
import { runImportDrill } from '@dataengine/testing';
import type { FaultRow } from './fault-row';

export const title = 'a 100,000-annotation COCO import (one image) against the worker process';

/** The bound libs/engine/src/exchange/README.md states for the worker during such an import. */
const PEAK_RSS_BOUND_MB = 600;
const TRANSACTION_TIMEOUT_MS = 5_000;

const ms = (v: number | null) => (v === null ? 'never' : `${Math.round(v)} ms`);

export async function run(): Promise<FaultRow[]> {
  const d = await runImportDrill({ annotations: 100_000 });
  const mb = (v: number) => `${Math.round(v)} MB`;
  return [
    {
      attack: `COCO import of ${d.annotations} annotations on one image (${(d.fileBytes / 1e6).toFixed(1)} MB JSON)`,
      expected: `completes; every annotation stored once; each insert transaction well under the ${TRANSACTION_TIMEOUT_MS / 1000} s timeout; worker peak RSS ≤ ${PEAK_RSS_BOUND_MB} MB`,
      result:
        `${d.import.status} in ${d.import.seconds.toFixed(1)} s; ${d.import.imported} imported, ${d.import.failed} failed, ${d.import.masksStored} masks stored; ` +
        `${d.import.batches} batch transactions, slowest ${d.import.slowestBatchMs} ms; worker RSS ${mb(d.worker.baselineRssMb)} idle → peak ${mb(d.worker.peakRssMb)}`,
      ok:
        d.import.status === 'succeeded' && d.import.imported === d.annotations && d.import.masksStored === d.annotations &&
        d.import.slowestBatchMs < TRANSACTION_TIMEOUT_MS / 5 && d.worker.peakRssMb <= PEAK_RSS_BOUND_MB && d.worker.alive,
    },
    {
      attack: 'an image uploaded while the import runs',
      expected: 'ingested within 10 s, the import still running (the other queues keep flowing)',
      result: `ingested ${ms(d.ingestDuringImport.ms)} after its upload; import still running then: ${d.ingestDuringImport.importRunningThroughout ? 'yes' : 'no'}`,
      ok: d.ingestDuringImport.ms !== null && d.ingestDuringImport.ms < 10_000 && d.ingestDuringImport.importRunningThroughout,
    },
    {
      attack: `runs.cancel of the same import into a second project, after ${d.cancel.importedAtCancel} annotations were in`,
      expected: 'the run is cancelled within 5 s; what was imported is kept and reported (run result = rows stored)',
      result: `${d.cancel.status} ${ms(d.cancel.ms)} after the cancel; result says ${d.cancel.reportedImported} imported, ${d.cancel.masksStored} masks stored; "${d.cancel.error ?? ''}"`,
      ok: d.cancel.status === 'cancelled' && d.cancel.ms !== null && d.cancel.ms < 5_000 && d.cancel.reportedImported === d.cancel.masksStored && d.cancel.masksStored < d.annotations,
    },
  ];
}
