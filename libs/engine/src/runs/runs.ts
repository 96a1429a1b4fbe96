// Runs are user-visible batches ("ingest 40 uploaded images", later "autogen over project X").
// Each image of a run is a run item; an item leaves "pending" exactly once, in the same
// transaction that bumps the run's counters, so retries never double count.
import { AppError, describeRunResult, runHasErrors, runStartAction, type RunDto, type RunKind } from '@dataengine/contracts';
import { type Prisma } from '@dataengine/db';
import { nowOf, type EngineDeps } from '../engine-deps';
import { queueRunJobs } from './run-enqueue';
import type { Actor } from '../access/actor';
import { requireGlobal, requireProject } from '../access/project-access';

type RunRow = Prisma.RunGetPayload<{ include: { createdBy: { select: { email: true } } } }>;

export function toRunDto(row: RunRow): RunDto {
  return {
    id: row.id,
    projectId: row.projectId,
    kind: row.kind,
    status: row.status,
    params: (row.params ?? {}) as Record<string, unknown>,
    total: row.total,
    done: row.done,
    failed: row.failed,
    error: row.error,
    createdBy: row.createdBy?.email ?? null,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    checkpointId: row.checkpointId,
    cancelRequestedAt: row.cancelRequestedAt?.toISOString() ?? null,
    progress: (row.progress ?? null) as Record<string, unknown> | null,
    etaSeconds: estimateEtaSeconds(row),
    result: (row.result ?? null) as Record<string, unknown> | null,
    withErrors: runHasErrors(row),
    summary: describeRunResult({ ...row, result: (row.result ?? null) as Record<string, unknown> | null }),
  };
}

/** Seconds left: the run's own ETA when it reports one (retrain), else linear in items done. */
function estimateEtaSeconds(row: RunRow): number | null {
  if (row.status !== 'running' || !row.startedAt) return null;
  const reported = (row.progress as { etaSeconds?: unknown } | null)?.etaSeconds;
  if (typeof reported === 'number' && Number.isFinite(reported)) return Math.max(0, reported);
  const processed = row.done + row.failed;
  if (processed === 0 || row.total <= processed) return null;
  const elapsed = (Date.now() - row.startedAt.getTime()) / 1000;
  return Math.round((elapsed / processed) * (row.total - processed));
}

export async function createRun(
  deps: EngineDeps,
  input: { kind: RunKind; projectId: string | null; params?: Record<string, unknown>; createdById: string | null; total?: number; checkpointId?: string | null },
): Promise<RunDto> {
  const row = await deps.db.run.create({
    data: {
      kind: input.kind,
      projectId: input.projectId,
      checkpointId: input.checkpointId ?? null,
      params: (input.params ?? {}) as Prisma.InputJsonValue,
      createdById: input.createdById,
      total: input.total ?? 0,
    },
    include: { createdBy: { select: { email: true } } },
  });
  return toRunDto(row);
}

/**
 * Adds images to a run (idempotent). A run's total is fixed when it starts (the files of an upload
 * batch, the images a reingest selected) so it cannot look finished while items are still arriving.
 * Returns how many items were new.
 */
export async function addRunItems(deps: EngineDeps, runId: string, imageIds: number[]): Promise<number> {
  if (imageIds.length === 0) return 0;
  const { count } = await deps.db.runItem.createMany({ data: imageIds.map((imageId) => ({ runId, imageId })), skipDuplicates: true });
  return count;
}

/** An upload batch received a file it already had (the same bytes twice): expect one file fewer. */
export async function shrinkRunTotal(deps: EngineDeps, runId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await tx.run.update({ where: { id: runId }, data: { total: { decrement: 1 } } });
    await finishRunIfComplete(deps, tx, runId);
  });
}

/** A file of an upload batch was refused (not an image, corrupt, too large): it counts as failed. */
export async function recordRefusedUpload(deps: EngineDeps, runId: string, fileName: string, reason: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await tx.run.update({ where: { id: runId }, data: { failed: { increment: 1 } } });
    await finishRunIfComplete(deps, tx, runId, `${fileName}: ${reason}`);
  });
}

/** Closes a run whose items are all accounted for; `lastError` is kept as the run's error line. */
export async function finishRunIfComplete(deps: EngineDeps, tx: Prisma.TransactionClient, runId: string, lastError?: string): Promise<void> {
  const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { done: true, failed: true, total: true, status: true, startedAt: true } });
  if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') return;
  const now = nowOf(deps);
  const finished = run.done + run.failed >= run.total;
  await tx.run.update({
    where: { id: runId },
    data: {
      startedAt: run.startedAt ?? now,
      ...(lastError ? { error: lastError } : {}),
      ...(finished
        ? {
            status: run.done === 0 && run.failed > 0 ? 'failed' : 'succeeded',
            finishedAt: now,
            ...(run.failed > 0 && !lastError ? { error: `${run.failed} of ${run.total} images failed` } : {}),
          }
        : run.status === 'queued'
          ? { status: 'running' }
          : {}),
    },
  });
}

/**
 * Adds to the counts in a run's result (`result.counts`), e.g. masks stored and what filters
 * dropped, and merges `extra` into the result. Call it inside the transaction that commits an
 * item: the run row is locked there (image-run-item.ts), so concurrent jobs add up.
 */
export async function addRunCounts(tx: Prisma.TransactionClient, runId: string, counts: Record<string, number>, extra: Record<string, unknown> = {}): Promise<void> {
  const row = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { result: true } });
  const result = (row.result ?? {}) as Record<string, unknown>;
  const before = (result['counts'] ?? {}) as Record<string, number>;
  const after = { ...before };
  for (const [key, n] of Object.entries(counts)) after[key] = (after[key] ?? 0) + n;
  await tx.run.update({ where: { id: runId }, data: { result: { ...result, ...extra, counts: after } as Prisma.InputJsonValue } });
}

/**
 * Marks one item done or failed. Returns false when it had already left "pending" (a retried or
 * re-delivered job), in which case nothing is counted again.
 */
export async function completeRunItem(
  deps: EngineDeps,
  tx: Prisma.TransactionClient,
  input: { runId: string; imageId: number; outcome: 'done' | 'failed'; error?: string },
): Promise<boolean> {
  const now = nowOf(deps);
  const { count } = await tx.runItem.updateMany({
    where: { runId: input.runId, imageId: input.imageId, status: 'pending' },
    data: { status: input.outcome, error: input.error ?? null },
  });
  if (count === 0) return false;
  await tx.run.update({
    where: { id: input.runId },
    data: input.outcome === 'done' ? { done: { increment: 1 } } : { failed: { increment: 1 } },
  });
  await finishRunIfComplete(deps, tx, input.runId);
  return true;
}

export async function listRuns(deps: EngineDeps, actor: Actor, input: { projectId?: string; limit: number }): Promise<RunDto[]> {
  if (input.projectId) await requireProject(deps.db, actor, input.projectId, 'project.view');
  else requireGlobal(actor, 'runs.view-all');
  const rows = await deps.db.run.findMany({
    where: input.projectId ? { projectId: input.projectId } : {},
    include: { createdBy: { select: { email: true } } },
    orderBy: { createdAt: 'desc' },
    take: input.limit,
  });
  return rows.map(toRunDto);
}

export async function getRun(deps: EngineDeps, actor: Actor, runId: string): Promise<RunDto> {
  const row = await deps.db.run.findUnique({ where: { id: runId }, include: { createdBy: { select: { email: true } } } });
  if (!row) throw new AppError('NOT_FOUND', `run ${runId} does not exist`);
  if (row.projectId) await requireProject(deps.db, actor, row.projectId, 'project.view');
  else requireGlobal(actor, 'runs.view-all');
  return toRunDto(row);
}

/** Starts an upload batch: an ingest run that uploads attach to with ?runId=. */
export async function beginUploadBatch(deps: EngineDeps, actor: Actor, input: { projectId: string; files: number }): Promise<RunDto> {
  await requireProject(deps.db, actor, input.projectId, runStartAction('ingest'));
  return createRun(deps, { kind: 'ingest', projectId: input.projectId, params: { source: 'upload', files: input.files }, createdById: actor.id, total: input.files });
}

/** Ops: re-runs ingest over every image of a project that is not ready (or all of them). */
export async function startReingestRun(deps: EngineDeps, actor: Actor, input: { projectId: string; all: boolean }): Promise<RunDto> {
  await requireProject(deps.db, actor, input.projectId, 'runs.reingest');
  const ids: number[] = [];
  for (let cursor = 0; ; ) {
    const batch = await deps.db.image.findMany({
      where: { projectId: input.projectId, id: { gt: cursor }, ...(input.all ? {} : { status: { not: 'ready' } }) },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: 5_000,
    });
    if (batch.length === 0) break;
    for (const b of batch) ids.push(b.id);
    cursor = ids[ids.length - 1]!;
  }
  const run = await createRun(deps, {
    kind: 'ingest',
    projectId: input.projectId,
    params: { source: 'reingest', all: input.all },
    createdById: actor.id,
    total: ids.length,
  });
  if (ids.length === 0) {
    await deps.db.run.update({ where: { id: run.id }, data: { status: 'succeeded', startedAt: nowOf(deps), finishedAt: nowOf(deps) } });
  }
  await queueRunJobs(deps, run.id, async () => {
    for (let i = 0; i < ids.length; i += 1_000) {
      const chunk = ids.slice(i, i + 1_000);
      await addRunItems(deps, run.id, chunk);
      for (const imageId of chunk) await deps.jobs.enqueue('ingest', { imageId, runId: run.id });
    }
  });
  return getRun(deps, actor, run.id);
}
