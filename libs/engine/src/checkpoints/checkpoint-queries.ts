import { AppError, type CheckpointDto } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { decideCheckpointUseFor, requireGlobal, requireProject } from '../access/project-access';
import { getActiveCheckpoint, type CheckpointRow } from './checkpoint-registry';
import { promotionGateOf, readEvaluation } from './promotion-decision';

export interface CheckpointContext {
  /** the scope's name (its project's), null for global */
  projectName?: string | null;
  /** the checkpoint promoting this one would replace now (the active one of its scope) */
  replaces?: CheckpointRow | null;
}

export function toCheckpointDto(row: CheckpointRow, context: CheckpointContext = {}): CheckpointDto {
  const file = (name: string) => `/api/checkpoints/${row.id}/files/${name}`;
  const manifest = (row.manifest ?? {}) as Record<string, unknown>;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    parentId: row.parentId,
    projectId: row.projectId,
    projectName: context.projectName ?? null,
    bundleHash: row.bundleHash,
    manifest,
    metrics: (row.metrics as Record<string, unknown> | null) ?? null,
    evaluation: readEvaluation(row.metrics),
    gate: promotionGateOf(row, context.replaces ?? null),
    createdAt: row.createdAt.toISOString(),
    promotedAt: row.promotedAt?.toISOString() ?? null,
    files: { manifest: file('manifest.json'), encoder: file('encoder.onnx'), decoder: file('decoder.onnx'), detector: manifest['detector'] ? file('detector.onnx') : null },
  };
}

/** The checkpoint the annotation tools of a project use now. */
export async function activeCheckpointFor(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<CheckpointDto | null> {
  await requireProject(deps.db, actor, input.projectId, 'project.view');
  const row = await getActiveCheckpoint(deps, input.projectId);
  return row ? (await toCheckpointDtos(deps, [row]))[0]! : null;
}

export async function listCheckpoints(deps: EngineDeps, actor: Actor): Promise<CheckpointDto[]> {
  requireGlobal(actor, 'checkpoints.manage');
  const rows = await deps.db.checkpoint.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
  return toCheckpointDtos(deps, rows);
}

/** DTOs with each checkpoint's scope name and the gate against what it would replace now. */
export async function toCheckpointDtos(deps: EngineDeps, rows: CheckpointRow[]): Promise<CheckpointDto[]> {
  const projectIds = [...new Set(rows.map((r) => r.projectId).filter((id): id is string => id !== null))];
  const projects = projectIds.length ? await deps.db.project.findMany({ where: { id: { in: projectIds } }, select: { id: true, name: true } }) : [];
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const active = await deps.db.checkpoint.findMany({ where: { status: 'active' } });
  const activeOf = (projectId: string | null) => active.find((a) => a.projectId === projectId) ?? active.find((a) => a.projectId === null) ?? null;
  return rows.map((row) => toCheckpointDto(row, { projectName: row.projectId ? (names.get(row.projectId) ?? null) : null, replaces: activeOf(row.projectId) }));
}

const SERVED_FILES = /^(manifest\.json|encoder\.onnx|decoder\.onnx|detector\.onnx|[\w.-]+\.(?:onnx_data|bin|data))$/;

/**
 * Blob key of a bundle file the caller may download (the browser runs the decoder): a global
 * checkpoint's for anyone signed in, a project's own for those who may see that project.
 */
export async function checkpointFileKey(deps: EngineDeps, actor: Actor, input: { checkpointId: string; file: string }): Promise<{ key: string; etag: string }> {
  if (!SERVED_FILES.test(input.file)) throw new AppError('NOT_FOUND', `a checkpoint bundle has no file named ${input.file}`);
  const row = await deps.db.checkpoint.findUnique({ where: { id: input.checkpointId }, select: { bundleKey: true, bundleHash: true, projectId: true } });
  if (!row) throw new AppError('NOT_FOUND', `checkpoint ${input.checkpointId} does not exist`);
  const use = await decideCheckpointUseFor(deps.db, actor, row);
  if (!use.allowed) throw new AppError('FORBIDDEN', use.reason);
  return { key: `${row.bundleKey}/${input.file}`, etag: `"${row.bundleHash.slice(0, 16)}-${input.file}"` };
}
