// The import run: reads the uploaded COCO or SA-1B file (JSON or tar, optionally gzipped) and adds
// its annotations to the project's existing images. Images are not created by an import; an
// archive's image files only serve to recognise the project's images by content.
import path from 'node:path';
import { AppError, importParamsSchema } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import { reportRunProgress } from '../runs/run-control';
import { progressStepper, runExchangeJob, type JobAttempt, type RunOutcome } from './exchange-run';
import { ImageMatcher, ImportTally, importSourceImage } from './import-masks';
import { readCocoDocument, readSa1bDocument, readSa1bSidecar, type SourceImage } from './import-records';
import { SA1B_EXCHANGE_SIDECAR, SA1B_SIDECARS } from './sa1b-export';
import { hashStream, parseJsonStream, readJsonSource, sniffSource, walkTar } from './import-source';

const isJsonName = (name: string) => name.toLowerCase().endsWith('.json');
const baseName = (name: string) => path.posix.basename(name.replace(/\\/g, '/'));

export async function runImport(deps: EngineDeps, payload: { runId: string }, job: JobAttempt): Promise<void> {
  await runExchangeJob(deps, { runId: payload.runId, kind: 'import', attempt: job.attempt }, async (run) => {
    const params = importParamsSchema.parse(run.params);
    if (!(await deps.db.project.findUnique({ where: { id: params.projectId }, select: { id: true } }))) {
      throw new AppError('NOT_FOUND', `project ${params.projectId} no longer exists`);
    }
    if (!(await deps.blobs.stat(params.sourceKey))) throw new AppError('NOT_FOUND', 'the uploaded file is no longer in the blob store; upload it again');
    const source = await sniffSource(deps, params.sourceKey);
    const tally = new ImportTally();
    const ctx = { projectId: params.projectId, runId: run.id, matcher: await ImageMatcher.load(deps, params.projectId), tally };
    let done = 0;
    let step = progressStepper(deps, run.id, 0);
    const begin = async (total: number) => {
      step = progressStepper(deps, run.id, total);
      await reportRunProgress(deps, run.id, { done: 0, total });
    };
    const importOne = async (image: SourceImage) => {
      await step(done, { imported: tally.annotations.imported, failed: tally.annotations.failed });
      await importSourceImage(deps, ctx, image);
      done += 1;
    };

    if (params.format === 'coco') {
      const archiveHashes = new Map<string, string>();
      let doc: unknown;
      if (source.container === 'json') doc = await readJsonSource(deps, params.sourceKey, source.gzip);
      else {
        let jsonName: string | null = null;
        await walkTar(deps, params.sourceKey, source.gzip, async (entry) => {
          if (!isJsonName(entry.name)) return void archiveHashes.set(baseName(entry.name), await hashStream(entry.body));
          if (jsonName) throw new AppError('BAD_REQUEST', `the archive holds two JSON files (${jsonName}, ${entry.name}); a COCO archive has one instances JSON`);
          jsonName = entry.name;
          doc = await parseJsonStream(entry.body, `${entry.name} in the archive`);
        });
        if (!jsonName) throw new AppError('BAD_REQUEST', 'the archive holds no .json file; a COCO archive needs its instances JSON');
      }
      const coco = readCocoDocument(doc);
      for (const image of coco.images) image.sha256 ??= (image.fileName && archiveHashes.get(baseName(image.fileName))) || null;
      tally.annotations.total += coco.orphans.count;
      for (const message of coco.orphans.errors) tally.fail(1, message);
      await begin(coco.images.length);
      for (const image of coco.images) await importOne(image);
    } else if (source.container === 'json') {
      const image = readSa1bDocument(await readJsonSource(deps, params.sourceKey, source.gzip), 'the uploaded file');
      await begin(1);
      await importOne(image);
    } else {
      // two passes: first the image files' hashes (they may come after their JSON), then the JSONs
      const hashes = new Map<string, string>();
      let sidecar = readSa1bSidecar(null);
      let jsonEntries = 0;
      await walkTar(deps, params.sourceKey, source.gzip, async (entry) => {
        const base = baseName(entry.name);
        if (base === SA1B_EXCHANGE_SIDECAR) sidecar = readSa1bSidecar(await parseJsonStream(entry.body, entry.name));
        else if (!isJsonName(base)) hashes.set(base, await hashStream(entry.body));
        else if (!SA1B_SIDECARS.has(base)) jsonEntries += 1;
      });
      if (jsonEntries === 0) throw new AppError('BAD_REQUEST', 'the archive holds no sa_<id>.json files; an SA-1B archive has one JSON per image');
      await begin(jsonEntries);
      await walkTar(deps, params.sourceKey, source.gzip, async (entry) => {
        if (!isJsonName(entry.name) || SA1B_SIDECARS.has(baseName(entry.name))) return;
        let image: SourceImage;
        try {
          image = readSa1bDocument(await parseJsonStream(entry.body, entry.name), entry.name);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          tally.unreadableFiles += 1;
          tally.fail(0, `${error.message} (skipped)`);
          done += 1;
          return;
        }
        const known = image.fileName ? sidecar.get(baseName(image.fileName)) : undefined;
        image.sha256 ??= known?.sha256 ?? ((image.fileName && hashes.get(baseName(image.fileName))) || null);
        image.altFileName = known?.originalFileName ?? null;
        await importOne(image);
      });
    }
    await reportRunProgress(deps, run.id, { done, progress: { imported: tally.annotations.imported, failed: tally.annotations.failed } });
    const moved = await moveToSplit(deps, params.projectId, tally, params.split);
    const result = outcome(tally);
    return { ...result, result: { ...result.result, split: { choice: params.split, moved } } };
  });
}

/** The import's train/val choice: `auto` leaves every image where it is; train or val moves the images it annotated. */
async function moveToSplit(deps: EngineDeps, projectId: string, tally: ImportTally, split: 'auto' | 'train' | 'val'): Promise<number> {
  if (split === 'auto' || tally.readImageIds.size === 0) return 0;
  const { count } = await deps.db.image.updateMany({ where: { projectId, id: { in: [...tally.readImageIds] }, split: { not: split } }, data: { split } });
  return count;
}

function outcome(tally: ImportTally): RunOutcome {
  const { total, imported, skipped, failed } = tally.annotations;
  const result = tally.summary();
  if (tally.errors.length === 0) return { status: 'succeeded', result, error: null };
  const lost = [failed > 0 ? `${failed} of ${total} annotations` : '', tally.unreadableFiles > 0 ? `${tally.unreadableFiles} unreadable files` : ''].filter(Boolean).join(' and ');
  if (imported + skipped === 0) return { status: 'failed', result, error: `nothing was imported (${lost}); first problem: ${tally.errors[0]}` };
  return { status: 'succeeded', result, error: `${lost} were not imported; first problem: ${tally.errors[0]}` };
}
