// The `autogen` job (stage 3, fully automatic): one image of an autogen run. AMG masks with their
// scores, grid points and crop boxes are stored as auto masks, except those that duplicate a
// manual or prefill mask already on the image; an image that got any enters the review queue.
import { autogenParamsSchema } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import { isCancelRequested } from '../runs/run-control';
import { resolveAutogenOptions } from './autogen-options';
import { dropDuplicateMasks, generateAutoMasks } from './autogen-masks';
import { imageStep, processImageRunItem, type ImageItemOutcome, type ImageRunJob, type JobAttempt } from './image-run-item';
import { loadImagePixels, loadStageImage, openRunCheckpoint } from './stage-inputs';
import { storeMachineMasks, type MachineMask } from './stage-masks';
import { addRunCounts } from '../runs/runs';
import { queueReviewForMachineMasks } from '../review/review-queue';

/** How often a running image checks whether ops cancelled its run (AMG then stops between decoder calls). */
const CANCEL_POLL_MS = 1_000;

export async function autogenImage(deps: EngineDeps, job: ImageRunJob, attempt?: JobAttempt): Promise<ImageItemOutcome> {
  return processImageRunItem(deps, 'autogen', { ...job, ...attempt }, async (run) => {
    const params = autogenParamsSchema.parse(run.params);
    const options = resolveAutogenOptions(params);
    const image = await loadStageImage(deps, job.imageId);
    const { checkpointId, bundle } = await openRunCheckpoint(deps, run);
    const pixels = await loadImagePixels(deps, image);

    const cancel = new AbortController();
    const poll = setInterval(() => {
      isCancelRequested(deps, run.id).then(
        (stop) => stop && cancel.abort(),
        (error: unknown) => deps.logger.warn('could not check whether the autogen run was cancelled', { runId: run.id, error }),
      );
    }, CANCEL_POLL_MS);
    let generated: MachineMask[];
    let stats: Awaited<ReturnType<typeof generateAutoMasks>>['stats'];
    try {
      ({ masks: generated, stats } = await imageStep(`automatic mask generation on image ${image.id}`, () => generateAutoMasks(bundle, pixels, options, cancel.signal)));
    } catch (error) {
      if (cancel.signal.aborted) return null;
      throw error;
    } finally {
      clearInterval(poll);
    }

    const existing = await deps.db.mask.findMany({
      where: { imageId: image.id, deletedAt: null, provenance: { in: ['manual', 'prefill'] } },
      select: { rleCounts: true, rleHeight: true, rleWidth: true },
    });
    const masks = dropDuplicateMasks(generated, existing.map((e) => ({ size: [e.rleHeight, e.rleWidth], counts: e.rleCounts })), options.boxNmsThresh);
    if (masks.length < generated.length) deps.logger.info('autogen skipped masks that duplicate manual or prefill masks', { runId: run.id, imageId: image.id, skipped: generated.length - masks.length });
    // what the filters dropped, summed over the run's images: the run's result says why it kept few or none
    const counts = { candidates: stats.masksDecoded, ...prefixed('dropped.', { ...stats.dropped, duplicates: generated.length - masks.length }) };
    const thresholds = { predIouThresh: options.predIouThresh, stabilityScoreThresh: options.stabilityScoreThresh };
    return async (tx) => {
      await addRunCounts(tx, run.id, counts, { thresholds });
      const stored = await storeMachineMasks(deps, tx, { image, stage: 'fully_automatic', provenance: 'auto', runId: run.id, checkpointId, masks });
      // stage-3 output goes to the project's review queue, not to an annotator's queue
      if (stored > 0) await queueReviewForMachineMasks(tx, { projectId: image.projectId, imageId: image.id, stage: 'fully_automatic', runId: run.id });
      return stored;
    };
  });
}

const prefixed = (prefix: string, counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).map(([k, v]) => [prefix + k, v]));
