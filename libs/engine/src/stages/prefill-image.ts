// The `prefill` job (stage 2, semi-automatic): one image of a prefill run. Masks from the
// detector's boxes are stored as prefill masks with their scores, and the image becomes a stage-2
// task where annotators see them and add the missing objects.
import { prefillParamsSchema } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import { ensureTask } from '../tasks/task-queue';
import { imageStep, processImageRunItem, type ImageItemOutcome, type ImageRunJob, type JobAttempt } from './image-run-item';
import { predictPrefillMasks } from './prefill-masks';
import { loadStageImage, loadStoredEmbedding, openRunCheckpoint } from './stage-inputs';
import { storeMachineMasks } from './stage-masks';

export async function prefillImage(deps: EngineDeps, job: ImageRunJob, attempt?: JobAttempt): Promise<ImageItemOutcome> {
  return processImageRunItem(deps, 'prefill', { ...job, ...attempt }, async (run) => {
    const params = prefillParamsSchema.parse(run.params);
    const image = await loadStageImage(deps, job.imageId);
    const { checkpointId, bundle } = await openRunCheckpoint(deps, run);
    const embedding = await loadStoredEmbedding(deps, { imageId: image.id, checkpointId });
    const masks = await imageStep(`prefill of image ${image.id}`, () => predictPrefillMasks(bundle, embedding, params));
    return async (tx) => {
      await ensureTask(tx, { projectId: image.projectId, imageId: image.id, stage: 'semi_automatic' });
      const task = await tx.task.findUniqueOrThrow({ where: { imageId_stage: { imageId: image.id, stage: 'semi_automatic' } }, select: { id: true } });
      return storeMachineMasks(deps, tx, { image, stage: 'semi_automatic', provenance: 'prefill', runId: run.id, checkpointId, taskId: task.id, masks });
    };
  });
}
