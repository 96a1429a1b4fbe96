// The export run: a project's (or a selection's) non-deleted masks as SA-1B or COCO, packaged as
// one artifact in the blob store under exports/<runId>/, downloadable from the run.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError, exportParamsSchema, type ExportParams } from '@dataengine/contracts';
import { BlobNotFoundError } from '@dataengine/storage';
import type { EngineDeps } from '../engine-deps';
import { reportRunProgress, resolveRunImages, type RunRow } from '../runs/run-control';
import { storeFileArtifact, storeTarArtifact, type StoredArtifact, type TarWriter } from './artifact';
import { exportCategories } from './coco-categories';
import { writeCocoJson } from './coco-writer';
import { progressStepper, runExchangeJob, type JobAttempt } from './exchange-run';
import { loadExportImages, type ExportImage } from './export-images';
import { exportSa1bArchive } from './sa1b-export';

/** What an export run records in run.result (the download route reads `artifact`). */
export interface ExportResult {
  format: ExportParams['format'];
  artifact: StoredArtifact & { fileName: string; contentType: string };
  images: number;
  annotations: number;
  byProvenance: Record<string, number>;
  [extra: string]: unknown;
}

export interface ExportContext {
  deps: EngineDeps;
  run: RunRow;
  params: ExportParams;
  images: ExportImage[];
  tmp: string;
  keyStem: string;
  /** between images: cancel check and (throttled) progress */
  step: (done: number, phase: string) => Promise<void>;
}

export async function runExport(deps: EngineDeps, payload: { runId: string }, job: JobAttempt): Promise<void> {
  await runExchangeJob(deps, { runId: payload.runId, kind: 'export', attempt: job.attempt }, async (run) => {
    const params = exportParamsSchema.parse(run.params);
    const project = await deps.db.project.findUnique({ where: { id: params.projectId }, select: { slug: true } });
    if (!project) throw new AppError('NOT_FOUND', `project ${params.projectId} no longer exists`);
    const images = await loadExportImages(deps, await resolveRunImages(deps, params.projectId, params.imageIds));
    const phases = params.includeImages || params.format === 'sa1b' ? 2 : 1; // writing, then packing or copying images
    const total = images.length * phases;
    await reportRunProgress(deps, run.id, { total, done: 0, progress: { phase: 'starting' } });
    const started = Date.now();
    const stepper = progressStepper(deps, run.id, total);
    const step = (done: number, phase: string) => stepper(done, { phase });
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'dataengine-export-'));
    try {
      const ctx: ExportContext = { deps, run, params, images, tmp, keyStem: `exports/${run.id}/${safeStem(project.slug)}-${params.format}`, step };
      const result = params.format === 'sa1b' ? await exportSa1bArchive(ctx) : await exportCoco(ctx);
      await reportRunProgress(deps, run.id, { done: total, progress: { phase: 'done' } });
      return { status: 'succeeded', result: { ...result, seconds: Math.round((Date.now() - started) / 100) / 10 } };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
}

async function exportCoco(ctx: ExportContext): Promise<ExportResult> {
  const { deps, run, params, images } = ctx;
  const jsonPath = path.join(ctx.tmp, 'instances.json');
  const summary = await writeCocoJson(deps, {
    path: jsonPath,
    images,
    variant: params.format === 'coco-polygon' ? 'polygon' : 'rle',
    polygonTolerance: params.polygonTolerance,
    provenance: params.provenance,
    categories: await loadExportCategories(deps, params.projectId, images, params.provenance),
    info: { description: 'masks exported by the data engine', format: params.format, run_id: run.id, project_id: params.projectId, date_created: new Date().toISOString() },
    beforeImage: (i) => ctx.step(i, 'annotations'),
  });
  let artifact: ExportResult['artifact'];
  if (!params.includeImages) {
    const stored = await storeFileArtifact(deps, `${ctx.keyStem}.json`, jsonPath);
    artifact = { ...stored, fileName: path.posix.basename(stored.key), contentType: 'application/json' };
  } else {
    const stored = await storeTarArtifact(deps, `${ctx.keyStem}.tar`, async (tar) => {
      await tar.addFile(COCO_TAR_JSON, jsonPath, (await stat(jsonPath)).size);
      for (let i = 0; i < images.length; i++) {
        await ctx.step(images.length + i, 'images');
        await addImage(tar, `images/${images[i]!.exportName}`, images[i]!);
      }
    });
    artifact = { ...stored, fileName: path.posix.basename(stored.key), contentType: 'application/x-tar' };
  }
  return { format: params.format, artifact, ...summary, ...(params.format === 'coco-polygon' ? { polygonTolerance: params.polygonTolerance } : {}) };
}

/** Where the instances JSON sits in a COCO tar (images beside it under images/). */
export const COCO_TAR_JSON = 'annotations/instances.json';

export async function addImage(tar: TarWriter, name: string, image: ExportImage): Promise<void> {
  try {
    await tar.addBlob(name, image.blobKey, image.byteSize);
  } catch (error) {
    if (error instanceof BlobNotFoundError) throw new AppError('CONFLICT', `the stored bytes of image ${image.id} (${image.exportName}) are missing; re-ingest the project or export without images`);
    throw error;
  }
}

/** The project's labels as categories; "object" is added for unlabelled masks only when the export has some. */
async function loadExportCategories(deps: EngineDeps, projectId: string, images: readonly ExportImage[], provenance: ExportParams['provenance']) {
  const labels = await deps.db.label.findMany({ where: { projectId }, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }], select: { id: true, name: true, color: true } });
  if (labels.length === 0) return exportCategories([], false);
  let hasUnlabelled = false;
  for (let i = 0; i < images.length && !hasUnlabelled; i += 5_000) {
    const imageIds = images.slice(i, i + 5_000).map((image) => image.id);
    const unlabelled = await deps.db.mask.findFirst({ where: { imageId: { in: imageIds }, deletedAt: null, labelId: null, ...(provenance ? { provenance: { in: provenance } } : {}) }, select: { id: true } });
    hasUnlabelled = unlabelled !== null;
  }
  return exportCategories(labels, hasUnlabelled);
}

function safeStem(slug: string): string {
  return slug.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9_]+/, '').slice(0, 80) || 'project';
}
