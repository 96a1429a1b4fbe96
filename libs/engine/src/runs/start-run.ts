// One entry point for "start a run of kind X" (the console's forms, the project page's export, the API, the simulator).
import { AppError, runStartAction, type RunDto, type StartRunInput } from '@dataengine/contracts';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { getActiveCheckpoint } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { startImageRun, startSingleJobRun } from './run-control';
import { resolveAutogenOptions } from '../stages/autogen-options';

export async function startRun(deps: EngineDeps, actor: Actor, input: StartRunInput): Promise<RunDto> {
  // export: the project's managers too (as they download and import); the rest is ops work
  await requireProject(deps.db, actor, input.projectId, runStartAction(input.kind));
  const { kind, ...params } = input;
  switch (kind) {
    case 'prefill':
    case 'autogen': {
      if (input.kind === 'autogen') resolveAutogenOptions(input); // a bad override fails here, not in every job
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
      return startSingleJobRun(deps, actor, { kind, projectId: input.projectId, params, checkpointId: init.id, total: input.steps });
    }
    case 'evaluate':
      // startSingleJobRun plans the evaluation first: a missing checkpoint or a held-out set too
      // small to decide on is refused there, before any run or job exists
      return startSingleJobRun(deps, actor, { kind, projectId: input.projectId, params, checkpointId: input.candidateId });
    case 'export':
      return startSingleJobRun(deps, actor, { kind, projectId: input.projectId, params, checkpointId: null });
  }
}
