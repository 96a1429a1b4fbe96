// The lifecycle every run kind shares: start (items + jobs), progress, cancel, finish. Image runs
// (prefill, autogen) fan out one job per image and finish through completeRunItem; single-job runs
// (retrain, evaluate, export, import) report progress and finish themselves.
import { AppError, evaluateParamsSchema, runCancelAction, runStartAction, type RunDto, type RunKind } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { SYSTEM_ACTOR, type Actor } from '../access/actor';
import { requireGlobal, requireProject } from '../access/project-access';
import { nowOf, type EngineDeps } from '../engine-deps';
import { planEvaluation } from '../loop/evaluate-plan';
import { addRunItems, createRun, getRun } from './runs';
import { queueRunJobs } from './run-enqueue';

export type RunRow = Prisma.RunGetPayload<object>;
const SYSTEM_ID = SYSTEM_ACTOR.id;
const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/** The project's ready images, or the given selection after checking it belongs to the project. */
export async function resolveRunImages(deps: EngineDeps, projectId: string, imageIds?: number[]): Promise<number[]> {
  if (imageIds?.length) {
    const unique = [...new Set(imageIds)];
    const rows = await deps.db.image.findMany({ where: { id: { in: unique }, projectId }, select: { id: true, status: true } });
    const found = new Map(rows.map((r) => [r.id, r.status]));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length) throw new AppError('BAD_REQUEST', `image(s) ${missing.slice(0, 10).join(', ')} are not in this project`);
    const notReady = unique.filter((id) => found.get(id) !== 'ready');
    if (notReady.length) throw new AppError('CONFLICT', `image(s) ${notReady.slice(0, 10).join(', ')} are not ingested yet; run ingest first`);
    return unique.sort((a, b) => a - b);
  }
  const ids: number[] = [];
  for (let cursor = 0; ; ) {
    const batch = await deps.db.image.findMany({ where: { projectId, status: 'ready', id: { gt: cursor } }, select: { id: true }, orderBy: { id: 'asc' }, take: 5_000 });
    if (batch.length === 0) break;
    for (const b of batch) ids.push(b.id);
    cursor = ids[ids.length - 1]!;
  }
  if (ids.length === 0) throw new AppError('CONFLICT', 'the project has no ingested images to run on');
  return ids;
}

/** Ops starts a run that processes each image once: prefill or autogen. */
export async function startImageRun(
  deps: EngineDeps,
  actor: Actor,
  input: { kind: 'prefill' | 'autogen'; projectId: string; params: Record<string, unknown>; imageIds?: number[]; checkpointId: string | null },
): Promise<RunDto> {
  await requireProject(deps.db, actor, input.projectId, runStartAction(input.kind));
  const ids = await resolveRunImages(deps, input.projectId, input.imageIds);
  const run = await createRun(deps, { kind: input.kind, projectId: input.projectId, params: input.params, createdById: actor.id === SYSTEM_ID ? null : actor.id, total: ids.length, checkpointId: input.checkpointId });
  await queueRunJobs(deps, run.id, async () => {
    for (let i = 0; i < ids.length; i += 1_000) {
      const chunk = ids.slice(i, i + 1_000);
      await addRunItems(deps, run.id, chunk);
      for (const imageId of chunk) await deps.jobs.enqueue(input.kind, { runId: run.id, imageId });
    }
  });
  return getRun(deps, actor, run.id);
}

/**
 * A run done by one job (retrain, evaluate, export, import). An evaluate run is planned first
 * (evaluate-plan.ts): it is refused — no run, no job — when it could not decide anything, and its
 * total is the images it will score, twice (candidate and baseline).
 */
export async function startSingleJobRun(
  deps: EngineDeps,
  actor: Actor,
  input: { kind: 'retrain' | 'evaluate' | 'export' | 'import'; projectId: string; params: Record<string, unknown>; checkpointId: string | null; total?: number },
): Promise<RunDto> {
  let total = input.total ?? 0;
  if (input.kind === 'evaluate') total = 2 * (await planEvaluation(deps, evaluateParamsSchema.parse(input.params))).set.images;
  const run = await createRun(deps, { kind: input.kind, projectId: input.projectId, params: input.params, createdById: actor.id === SYSTEM_ID ? null : actor.id, total, checkpointId: input.checkpointId });
  await queueRunJobs(deps, run.id, () => deps.jobs.enqueue(input.kind, { runId: run.id }).then(() => undefined));
  return getRun(deps, actor, run.id);
}

/**
 * Ops cancels a run. An image run stops at once (pending images are skipped by their jobs); a
 * single-job run that is already running is asked to stop and says so when it has (retrain:
 * SIGTERM to the trainer).
 */
export async function cancelRun(deps: EngineDeps, actor: Actor, input: { runId: string; reason?: string }): Promise<RunDto> {
  const run = await deps.db.run.findUnique({ where: { id: input.runId } });
  if (!run) throw new AppError('NOT_FOUND', `run ${input.runId} does not exist`);
  // a project's managers start its exports and imports, so they may stop them; everything else is ops work
  if (run.projectId) await requireProject(deps.db, actor, run.projectId, runCancelAction(run.kind));
  else requireGlobal(actor, 'runs.cancel-any');
  if (FINISHED.has(run.status)) throw new AppError('CONFLICT', `run ${run.id} already ${run.status}`);
  const now = nowOf(deps);
  const why = `cancelled by ${actor.email}${input.reason ? `: ${input.reason}` : ''}`;
  const stopsAtOnce = run.kind === 'prefill' || run.kind === 'autogen' || run.kind === 'ingest' || run.kind === 'embed' || run.status === 'queued';
  await deps.db.run.updateMany({
    where: { id: run.id, status: { in: ['queued', 'running'] } },
    data: stopsAtOnce ? { cancelRequestedAt: now, status: 'cancelled', finishedAt: now, error: why } : { cancelRequestedAt: now, error: why },
  });
  return getRun(deps, actor, run.id);
}

/** The run a job works for, or null when it has finished or was cancelled (the job then does nothing). */
export async function loadLiveRun(deps: EngineDeps, runId: string, kind?: RunKind): Promise<RunRow | null> {
  const run = await deps.db.run.findUnique({ where: { id: runId } });
  if (!run) return null;
  if (kind && run.kind !== kind) throw new AppError('BAD_REQUEST', `run ${runId} is a ${run.kind} run, not ${kind}`);
  if (FINISHED.has(run.status)) return null;
  if (run.cancelRequestedAt) {
    // asked to stop before this job got to it (e.g. while it waited for a retry): close it now
    await finishRun(deps, run.id, { status: 'cancelled' });
    return null;
  }
  return run;
}

/** True once ops asked a running single-job run to stop. */
export async function isCancelRequested(deps: EngineDeps, runId: string): Promise<boolean> {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { cancelRequestedAt: true, status: true } });
  return !run || run.cancelRequestedAt !== null || FINISHED.has(run.status);
}

export async function markRunRunning(deps: EngineDeps, runId: string): Promise<void> {
  const now = nowOf(deps);
  await deps.db.run.updateMany({ where: { id: runId, status: 'queued' }, data: { status: 'running', startedAt: now } });
}

/** Live progress of a single-job run: counts and a detail object (put `etaSeconds` in it when known). */
export async function reportRunProgress(deps: EngineDeps, runId: string, input: { done?: number; total?: number; progress?: Record<string, unknown> }): Promise<void> {
  await deps.db.run.updateMany({
    where: { id: runId, status: 'running' },
    data: {
      ...(input.done !== undefined ? { done: input.done } : {}),
      ...(input.total !== undefined ? { total: input.total } : {}),
      ...(input.progress ? { progress: input.progress as Prisma.InputJsonValue } : {}),
    },
  });
}

/** Ends a single-job run. A run that was asked to stop ends "cancelled" whatever the outcome. */
export async function finishRun(
  deps: EngineDeps,
  runId: string,
  input: { status: 'succeeded' | 'failed' | 'cancelled'; error?: string | null; result?: Record<string, unknown> },
): Promise<void> {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { cancelRequestedAt: true, error: true, status: true } });
  if (!run || FINISHED.has(run.status)) return;
  const status = run.cancelRequestedAt && input.status !== 'failed' ? 'cancelled' : input.status;
  const now = nowOf(deps);
  await deps.db.run.update({
    where: { id: runId },
    data: {
      status,
      finishedAt: now,
      error: status === 'cancelled' ? (run.error ?? 'cancelled') + (input.error ? `; ${input.error}` : '') : (input.error ?? null),
      ...(input.result ? { result: input.result as Prisma.InputJsonValue } : {}),
    },
  });
}
