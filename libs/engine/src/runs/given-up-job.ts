// The queue gave up on a job: its retries are spent, or its workers died holding it more often than
// BullMQ allows (killed, out of memory). What it worked for must not stay open: the image run's
// item fails, an image whose ingest never finished fails, a single-job run fails — each saying why
// and what to do. Everything here is a no-op when the processor already recorded the outcome.
import { jobCatalog, type JobName } from '@dataengine/queue';
import type { EngineDeps } from '../engine-deps';
import { failGivenUpRunItem } from '../stages/image-run-item';
import { giveUpRegisterListing } from '../images/register-listing';
import { finishRun } from './run-control';
import { completeRunItem } from './runs';

/** BullMQ's reason when a job's worker died (lock lost) more often than maxStalledCount allows. */
const STALLED = /stalled more than allowable limit/i;

/** The reason recorded on the run, item or image. */
export function givenUpReason(what: string, error: Error): string {
  return STALLED.test(error.message)
    ? `the worker stopped while running ${what} (killed or out of memory) more often than allowed; start it again`
    : `${what} failed on its last try: ${error.message}`;
}

export async function recordGivenUpJob(deps: EngineDeps, name: string, payload: unknown, error: Error): Promise<void> {
  if (!(name in jobCatalog)) return;
  const parsed = jobCatalog[name as JobName].payload.safeParse(payload);
  if (!parsed.success) return;
  const data = parsed.data as { runId?: string; imageId?: number };
  switch (name as JobName) {
    case 'prefill':
    case 'autogen':
      await failGivenUpRunItem(deps, { runId: data.runId!, imageId: data.imageId! }, givenUpReason(`${name} of image ${data.imageId}`, error));
      return;
    case 'ingest':
      await failGivenUpIngest(deps, { imageId: data.imageId!, runId: data.runId }, givenUpReason(`the ingest of image ${data.imageId}`, error));
      return;
    case 'retrain':
    case 'evaluate':
    case 'export':
    case 'import':
      await finishRun(deps, data.runId!, { status: 'failed', error: givenUpReason(`this ${name}`, error) });
      return;
    case 'register':
      await giveUpRegisterListing(deps, data.runId!, givenUpReason('the listing of this registration', error));
      return;
    case 'embed':
      // no run waits on an embed job: the next request for the embedding queues a new one
      return;
  }
}

/** An ingest that will not be tried again: a still-pending image fails, and so does its run item. */
async function failGivenUpIngest(deps: EngineDeps, input: { imageId: number; runId?: string }, reason: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await tx.image.updateMany({ where: { id: input.imageId, status: 'pending' }, data: { status: 'failed', error: reason } });
    if (input.runId) await completeRunItem(deps, tx, { runId: input.runId, imageId: input.imageId, outcome: 'failed', error: reason });
  });
}
