// The SA-1B export: the dataset writer the retrain loop uses (sa1b-dataset.ts) fills a directory,
// which is packed into one tar beside a small `exchange.json` sidecar naming each image's original
// file name and content hash — SA-1B's per-image JSON has no field for either, and an import uses
// them to find the same images in another project.
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listFilesUnder, storeTarArtifact } from './artifact';
import { RunCancelled, throwIfCancelled } from './exchange-run';
import type { ExportContext, ExportResult } from './run-export';
import { SA1B_DATASET_FILES, writeSa1bDataset } from './sa1b-dataset';

export const SA1B_EXCHANGE_SIDECAR = 'exchange.json';
/** JSON files of an SA-1B archive that are not per-image records. */
export const SA1B_SIDECARS: ReadonlySet<string> = new Set([SA1B_EXCHANGE_SIDECAR, SA1B_DATASET_FILES.split, SA1B_DATASET_FILES.manifest]);

export interface Sa1bExchangeSidecar {
  format: 'sa1b';
  runId: string;
  projectId: string;
  /** the project's label set in order (each annotation's `label` names one, or is null) */
  labels: { name: string; color: string }[];
  images: { image_id: number; file_name: string; original_file_name: string; sha256: string; width: number; height: number }[];
}

export async function exportSa1bArchive(ctx: ExportContext): Promise<ExportResult> {
  const { deps, run, params, images } = ctx;
  const dir = path.join(ctx.tmp, 'sa1b');
  // the writer reports progress synchronously; the cancel check runs beside it and aborts it
  const abort = new AbortController();
  let checking = false;
  const manifest = await writeSa1bDataset(deps, {
    projectId: params.projectId,
    imageIds: images.map((i) => i.id),
    dir,
    provenance: params.provenance ?? ['manual', 'prefill', 'auto'],
    valFraction: 0,
    seed: 0,
    includeImages: params.includeImages,
    signal: abort.signal,
    onProgress: (written) => {
      if (checking) return;
      checking = true;
      ctx
        .step(written, 'annotations')
        .catch((error: unknown) => abort.abort(error instanceof RunCancelled ? error : new Error(String(error))))
        .finally(() => (checking = false));
    },
  });
  await throwIfCancelled(deps, run.id);
  const sidecar: Sa1bExchangeSidecar = {
    format: 'sa1b',
    runId: run.id,
    projectId: params.projectId,
    labels: await deps.db.label.findMany({ where: { projectId: params.projectId }, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }], select: { name: true, color: true } }),
    images: images.map((i) => ({ image_id: i.id, file_name: `sa_${i.id}.jpg`, original_file_name: i.exportName, sha256: i.contentHash, width: i.width, height: i.height })),
  };
  await writeFile(path.join(dir, SA1B_EXCHANGE_SIDECAR), `${JSON.stringify(sidecar)}\n`);
  const files = await listFilesUnder(dir);
  const stored = await storeTarArtifact(deps, `${ctx.keyStem}.tar`, async (tar) => {
    for (const [i, name] of files.entries()) {
      await ctx.step(images.length + Math.floor((i * images.length) / files.length), 'packing');
      const local = path.join(dir, name);
      await tar.addFile(name, local, (await stat(local)).size);
    }
  });
  return {
    format: 'sa1b',
    artifact: { ...stored, fileName: path.posix.basename(stored.key), contentType: 'application/x-tar' },
    images: manifest.counts.images,
    annotations: manifest.counts.annotations,
    byProvenance: manifest.counts.byProvenance,
  };
}
