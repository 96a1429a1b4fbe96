import { AppError, type CheckpointDto } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { assertGlobalRole, requireProject } from '../access/project-access';
import { getActiveCheckpoint, type CheckpointRow } from './checkpoint-registry';

export function toCheckpointDto(row: CheckpointRow): CheckpointDto {
  const file = (name: string) => `/api/checkpoints/${row.id}/files/${name}`;
  const manifest = (row.manifest ?? {}) as Record<string, unknown>;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    parentId: row.parentId,
    projectId: row.projectId,
    bundleHash: row.bundleHash,
    manifest,
    metrics: (row.metrics as Record<string, unknown> | null) ?? null,
    createdAt: row.createdAt.toISOString(),
    promotedAt: row.promotedAt?.toISOString() ?? null,
    files: { manifest: file('manifest.json'), encoder: file('encoder.onnx'), decoder: file('decoder.onnx'), detector: manifest['detector'] ? file('detector.onnx') : null },
  };
}

/** The checkpoint the annotation tools of a project use now. */
export async function activeCheckpointFor(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<CheckpointDto | null> {
  await requireProject(deps.db, actor, input.projectId, 'read');
  const row = await getActiveCheckpoint(deps, input.projectId);
  return row ? toCheckpointDto(row) : null;
}

export async function listCheckpoints(deps: EngineDeps, actor: Actor): Promise<CheckpointDto[]> {
  assertGlobalRole(actor, ['ops', 'admin'], 'managing checkpoints');
  const rows = await deps.db.checkpoint.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
  return rows.map(toCheckpointDto);
}

const SERVED_FILES = /^(manifest\.json|encoder\.onnx|decoder\.onnx|detector\.onnx|[\w.-]+\.(?:onnx_data|bin|data))$/;

/** Blob key of a bundle file the caller may download (any signed-in user: the browser runs the decoder). */
export async function checkpointFileKey(deps: EngineDeps, input: { checkpointId: string; file: string }): Promise<{ key: string; etag: string }> {
  if (!SERVED_FILES.test(input.file)) throw new AppError('NOT_FOUND', `a checkpoint bundle has no file named ${input.file}`);
  const row = await deps.db.checkpoint.findUnique({ where: { id: input.checkpointId }, select: { bundleKey: true, bundleHash: true } });
  if (!row) throw new AppError('NOT_FOUND', `checkpoint ${input.checkpointId} does not exist`);
  return { key: `${row.bundleKey}/${input.file}`, etag: `"${row.bundleHash.slice(0, 16)}-${input.file}"` };
}
