// One entry point for "start a run of kind X" (the console's forms, the project page's export, the API, the simulator).
import { AppError, retrainRefitSteps, runStartAction, type RunDto, type StartRunInput } from '@dataengine/contracts';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { getActiveCheckpoint } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { datasetMaskWhere } from '../exchange/sa1b-dataset';
import { startImageRun, startSingleJobRun } from './run-control';
import { resolveAutogenOptions } from '../stages/autogen-options';
import { earlierStageImages, resolveImageFilter } from './run-selection';
import { resolveRunImages } from './run-control';

/** The ids a filter selects, put in place of the filter (the run records which images it was given). */
async function withResolvedSelection<T extends { projectId: string; imageIds?: number[] | undefined; selection?: unknown }>(deps: EngineDeps, params: T): Promise<Omit<T, 'selection'> & { selection?: undefined }> {
  const { selection, ...rest } = params;
  if (!selection) return rest;
  const filter = selection as Parameters<typeof resolveImageFilter>[2];
  // exact ids given beside a filter narrow it (a picked selection and ids: the ids among the picked)
  const given = params.imageIds;
  const picked = filter.imageIds;
  const pickedSet = picked ? new Set(picked) : null;
  const imageIds = given && pickedSet ? given.filter((id) => pickedSet.has(id)) : (given ?? picked);
  if (imageIds && imageIds.length === 0) throw new AppError('BAD_REQUEST', 'none of the image ids given is among the picked images; clear one of the two');
  const ids = await resolveImageFilter(deps, params.projectId, imageIds ? { ...filter, imageIds } : filter);
  return { ...rest, imageIds: ids, selectionFilter: filter } as Omit<T, 'selection'> & { selection?: undefined };
}

/**
 * Autogen is stage 3's: its masks must not land on images annotators still work on. A run that
 * includes stage-1/2 images is refused unless the caller confirmed it (allowEarlierStages).
 */
async function refuseEarlierStages(deps: EngineDeps, projectId: string, imageIds: number[] | undefined): Promise<void> {
  const ids = imageIds ?? (await resolveRunImages(deps, projectId));
  const earlier = await earlierStageImages(deps, ids);
  if (earlier.count === 0) return;
  throw new AppError(
    'CONFLICT',
    `${earlier.count} of the ${ids.length} selected images are stage-1 or stage-2 images (e.g. ${earlier.sample.join(', ')}), still annotators' work; autogen is meant for stage-3 images. Select stage-3 images, or confirm the run on these (allowEarlierStages: true) to add automatic masks annotators will see`,
    { earlierStage: earlier.count, images: ids.length },
  );
}

export async function startRun(deps: EngineDeps, actor: Actor, input: StartRunInput): Promise<RunDto> {
  // export: the project's managers too (as they download and import); the rest is ops work
  await requireProject(deps.db, actor, input.projectId, runStartAction(input.kind));
  const { kind, ...given } = input;
  const params = 'imageIds' in given || 'selection' in given ? await withResolvedSelection(deps, given as typeof given & { projectId: string }) : given;
  switch (kind) {
    case 'prefill':
    case 'autogen': {
      if (input.kind === 'autogen') {
        resolveAutogenOptions(input); // a bad override fails here, not in every job
        if (!input.allowEarlierStages) await refuseEarlierStages(deps, input.projectId, (params as { imageIds?: number[] }).imageIds);
      }
      const active = await getActiveCheckpoint(deps, input.projectId);
      if (!active) throw new AppError('CONFLICT', 'no checkpoint is active; register or promote one first');
      if (kind === 'prefill' && !(active.manifest as { detector?: unknown }).detector) {
        throw new AppError('CONFLICT', `the active checkpoint "${active.name}" has no box detector; prefill needs one (retrain or promote a bundle with detector.onnx)`);
      }
      const { imageIds, ...rest } = params as typeof params & { imageIds?: number[] };
      return startImageRun(deps, actor, { kind, projectId: input.projectId, params: { ...rest, ...(imageIds ? { imageIds } : {}) }, imageIds, checkpointId: active.id });
    }
    case 'retrain': {
      const init = input.initCheckpointId ? { id: input.initCheckpointId } : await getActiveCheckpoint(deps, input.projectId);
      if (!init) throw new AppError('CONFLICT', 'no checkpoint to fine-tune: none is active');
      // refused here rather than by the snapshot a worker would write a moment later
      if ((await deps.db.mask.count({ where: datasetMaskWhere(input.projectId) })) === 0) {
        throw new AppError('CONFLICT', 'the project has no accepted masks to train on yet; annotate (or submit) some images first');
      }
      // a full retrain's refit steps follow its own: the progress counts both
      return startSingleJobRun(deps, actor, { kind, projectId: input.projectId, params, checkpointId: init.id, total: input.steps + retrainRefitSteps(input) });
    }
    case 'evaluate':
      // startSingleJobRun plans the evaluation first: a missing checkpoint or a held-out set too
      // small to decide on is refused there, before any run or job exists
      return startSingleJobRun(deps, actor, { kind, projectId: input.projectId, params, checkpointId: input.candidateId });
    case 'export':
      return startSingleJobRun(deps, actor, { kind, projectId: input.projectId, params, checkpointId: null });
  }
}
