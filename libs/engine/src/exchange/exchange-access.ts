// Who may move a project's annotations in and out: its managers, and ops/admin for any project.
import { AppError, importFormatSchema, splitChoiceSchema, type RunDto } from '@dataengine/contracts';
import type { Readable } from 'node:stream';
import { BlobTooLargeError } from '@dataengine/storage';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import type { EngineDeps } from '../engine-deps';
import { startSingleJobRun } from '../runs/run-control';
import type { ExportResult } from './run-export';

/** Uploads past this size are refused while streaming (an SA-1B tar with its images can be large). */
export const IMPORT_MAX_BYTES = 2 * 1024 ** 3;


export interface ExportArtifact {
  key: string;
  fileName: string;
  contentType: string;
  bytes: number;
}

/** The artifact of a finished export run, or an error that says why it cannot be downloaded. */
export async function getExportArtifact(deps: EngineDeps, actor: Actor, runId: string): Promise<ExportArtifact> {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { kind: true, status: true, projectId: true, error: true, done: true, total: true, result: true } });
  if (!run || !run.projectId) throw new AppError('NOT_FOUND', `run ${runId} does not exist`);
  await requireProject(deps.db, actor, run.projectId, 'annotations.export');
  if (run.kind !== 'export') throw new AppError('NOT_FOUND', `run ${runId} is a ${run.kind} run; only export runs have a download`);
  if (run.status === 'queued' || run.status === 'running') {
    throw new AppError('CONFLICT', `export ${runId} is still ${run.status} (${run.done} of ${run.total} steps); download it when it has succeeded`, { status: run.status });
  }
  if (run.status !== 'succeeded') {
    throw new AppError('CONFLICT', `export ${runId} ${run.status}${run.error ? `: ${run.error}` : ''}; it has nothing to download — start a new export`, { status: run.status });
  }
  const artifact = (run.result as Partial<ExportResult> | null)?.artifact;
  const stat = artifact ? await deps.blobs.stat(artifact.key) : null;
  if (!artifact || !stat) throw new AppError('NOT_FOUND', `the file of export ${runId} is no longer stored; start a new export`);
  return { key: artifact.key, fileName: artifact.fileName, contentType: artifact.contentType, bytes: stat.size };
}

/**
 * A manager (or ops) uploads a COCO or SA-1B file: it is streamed into the blob store under
 * imports/<projectId>/<sha256> (so the same file uploaded twice is stored once) and an import
 * run is started on it.
 */
export async function startImport(deps: EngineDeps, actor: Actor, input: { projectId: string; format: string | null; split?: string | null; body: Readable; maxBytes?: number }): Promise<RunDto> {
  await requireProject(deps.db, actor, input.projectId, 'annotations.import');
  const format = importFormatSchema.safeParse(input.format);
  if (!format.success) throw new AppError('BAD_REQUEST', `unknown import format ${JSON.stringify(input.format)}; use ?format=coco or ?format=sa1b`);
  const split = splitChoiceSchema.safeParse(input.split || 'auto');
  if (!split.success) throw new AppError('BAD_REQUEST', `unknown held-out choice ${JSON.stringify(input.split)}; use ?split=auto, train or val`);
  const maxBytes = input.maxBytes ?? IMPORT_MAX_BYTES;
  let staged;
  try {
    staged = await deps.blobs.stage(input.body, { maxBytes });
  } catch (error) {
    if (error instanceof BlobTooLargeError) throw new AppError('PAYLOAD_TOO_LARGE', `the import file is larger than ${maxBytes} bytes; split it into several archives`);
    throw error;
  }
  if (staged.size === 0) {
    await staged.discard();
    throw new AppError('BAD_REQUEST', 'the upload is empty; send the COCO JSON, SA-1B JSON or tar as the request body');
  }
  const sourceKey = `imports/${input.projectId}/${staged.sha256}`;
  await staged.commit(sourceKey);
  return startSingleJobRun(deps, actor, { kind: 'import', projectId: input.projectId, params: { projectId: input.projectId, format: format.data, sourceKey, bytes: staged.size, split: split.data }, checkpointId: null });
}
