// The import run: reads the uploaded COCO or SA-1B file (JSON or tar, optionally gzipped) and adds
// its annotations to the project's existing images. Images are not created by an import; an
// archive's image files only serve to recognise the project's images by content.
//
// A COCO file is read twice, streamed: first its images list (and every annotation parsed once, so
// a file that is not valid JSON fails before anything is written), then its annotations one at a
// time into batched inserts. Memory holds the images list and one batch, not the document. An
// SA-1B file (one image each) is parsed whole, at most MAX_IMPORT_JSON_BYTES.
import path from 'node:path';
import { AppError, importParamsSchema, type ImportParams } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import { reportRunProgress } from '../runs/run-control';
import { progressStepper, RunCancelled, runExchangeJob, throwIfCancelled, type JobAttempt, type RunOutcome } from './exchange-run';
import { readCocoCategories } from './coco-categories';
import { cocoImportLabels, NO_IMPORT_LABELS, sa1bImportLabels, type ImportLabels } from './import-labels';
import { ImageMatcher, ImportSession, ImportTally, type ImageSlot } from './import-masks';
import { COCO_NOT_AN_OBJECT, cocoImageIdOf, readCocoImages, readSa1bDocument, readSa1bSidecar, readSa1bSidecarLabels, type CocoTopLevel, type Sa1bDocument } from './import-records';
import { SA1B_EXCHANGE_SIDECAR, SA1B_SIDECARS } from './sa1b-export';
import { hashStream, MAX_IMPORT_ANNOTATION_BYTES, MAX_IMPORT_JSON_BYTES, openSource, parseJsonStream, readJsonSource, sniffSource, walkTar, type Opened } from './import-source';
import { readJsonObject, type JsonObjectVisitor } from './json-stream';

const isJsonName = (name: string) => name.toLowerCase().endsWith('.json');
const baseName = (name: string) => path.posix.basename(name.replace(/\\/g, '/'));
const STREAM_LIMITS = { maxMemberBytes: MAX_IMPORT_JSON_BYTES, maxElementBytes: MAX_IMPORT_ANNOTATION_BYTES };
/** First pass over a COCO file: annotations parsed (and counted) this often between cancel checks. */
const CANCEL_CHECK_EVERY = 5_000;

export async function runImport(deps: EngineDeps, payload: { runId: string }, job: JobAttempt): Promise<void> {
  await runExchangeJob(deps, { runId: payload.runId, kind: 'import', attempt: job.attempt }, async (run) => {
    const params = importParamsSchema.parse(run.params);
    if (!(await deps.db.project.findUnique({ where: { id: params.projectId }, select: { id: true } }))) {
      throw new AppError('NOT_FOUND', `project ${params.projectId} no longer exists`);
    }
    if (!(await deps.blobs.stat(params.sourceKey))) throw new AppError('NOT_FOUND', 'the uploaded file is no longer in the blob store; upload it again');
    const source = await sniffSource(deps, params.sourceKey);
    const tally = new ImportTally();
    const labels: ImportLabels = NO_IMPORT_LABELS; // set once the file's labels are read
    const ctx = { projectId: params.projectId, runId: run.id, matcher: await ImageMatcher.load(deps, params.projectId), tally, labels };
    const progress = importProgress(deps, run.id, job);
    try {
      if (params.format === 'coco') await importCoco(deps, ctx, params, source, progress);
      else await importSa1b(deps, ctx, params, source, progress);
    } catch (error) {
      if (!(error instanceof RunCancelled)) throw error;
      // what was inserted before the cancel stays (importing the file again adds only the rest)
      const moved = await moveToSplit(deps, params.projectId, tally, params.split);
      const { imported, total } = tally.annotations;
      throw new RunCancelled(error.message, {
        result: { ...tally.summary(), split: { choice: params.split, moved }, cancelled: true },
        detail: `${imported} of ${total} annotations read were imported before the cancel and are kept; importing the same file again adds the rest`,
      });
    }
    await reportRunProgress(deps, run.id, { progress: { imported: tally.annotations.imported, failed: tally.annotations.failed } });
    const moved = await moveToSplit(deps, params.projectId, tally, params.split);
    const result = outcome(tally);
    return { ...result, result: { ...result.result, split: { choice: params.split, moved } } };
  });
}

type Ctx = ConstructorParameters<typeof ImportSession>[1];

/** Progress of an import: the run's counts (a cancel is noticed here) and the queue job's, which keeps it visibly alive. */
function importProgress(deps: EngineDeps, runId: string, job: JobAttempt) {
  let step = progressStepper(deps, runId, 0);
  let total = 0;
  let lastJobReport = 0;
  return {
    async begin(count: number): Promise<void> {
      total = count;
      step = progressStepper(deps, runId, total);
      await reportRunProgress(deps, runId, { done: 0, total });
    },
    async at(done: number, tally: ImportTally): Promise<void> {
      await step(done, { imported: tally.annotations.imported, failed: tally.annotations.failed });
      if (job.progress && Date.now() - lastJobReport >= 2_000) {
        lastJobReport = Date.now();
        await job.progress({ done, total });
      }
    },
  };
}
type Progress = ReturnType<typeof importProgress>;

async function importCoco(deps: EngineDeps, ctx: Ctx, params: ImportParams, source: Opened, progress: Progress): Promise<void> {
  // pass 1: the images list (and the archive's image files, to match by content), every annotation checked to be JSON
  const top: CocoTopLevel = { images: undefined, image: undefined, annotations: 'missing' };
  let annotationCount = 0;
  const firstPass: JsonObjectVisitor = {
    mode: (key) => (key === 'annotations' ? 'elements' : key === 'images' || key === 'image' || key === 'categories' ? 'whole' : 'skip'),
    member: (key, value) => {
      if (key === 'images') top.images = value;
      else if (key === 'image') top.image = value;
      else if (key === 'categories') top.categories = value;
      else if (key === 'annotations') top.annotations = 'not-array';
    },
    element: async () => {
      if (++annotationCount % CANCEL_CHECK_EVERY === 0) await throwIfCancelled(deps, ctx.runId);
    },
    arrayEnd: (key) => {
      if (key === 'annotations') top.annotations = 'array';
    },
  };
  const archiveHashes = new Map<string, string>();
  const jsonName = await readCocoJson(deps, params, source, firstPass, async (entry) => void archiveHashes.set(baseName(entry.name), await hashStream(entry.body)));
  const { images, indexById } = readCocoImages(top);
  for (const image of images) image.sha256 ??= (image.fileName && archiveHashes.get(baseName(image.fileName))) || null;
  // category_id → the project's labels (matched by name, the missing ones created when first needed)
  const categories = readCocoCategories(top.categories);
  ctx.labels = cocoImportLabels(deps, ctx.projectId, ctx.tally.labels.created, categories);

  // pass 2: the annotations, one at a time, into batched inserts
  await progress.begin(annotationCount);
  const session = new ImportSession(deps, ctx, (done) => progress.at(done, ctx.tally));
  const slots: ImageSlot[] = images.map((image) => session.openImage(image));
  const secondPass: JsonObjectVisitor = {
    mode: (key) => (key === 'annotations' ? 'elements' : 'skip'),
    element: async (_key, annotation, i) => {
      const imageId = cocoImageIdOf(annotation);
      const index = imageId === undefined ? undefined : indexById.get(imageId);
      if (index === undefined) {
        await session.orphan(`annotations[${i}] refers to image_id ${imageId === undefined ? 'null' : JSON.stringify((annotation as { image_id: unknown }).image_id)}, which the file's "images" list does not have`, i);
      } else await session.add(slots[index]!, annotation);
    },
  };
  await readCocoJson(deps, params, source, secondPass, null, jsonName);
  await session.finish();
  if (ctx.tally.images.matched > 0) await ctx.labels.settle(); // labels no imported mask carries come along too
  await reportRunProgress(deps, ctx.runId, { done: session.processed });
}

/**
 * Streams the COCO JSON — the file itself, or the one .json of an archive (whose other files go to
 * `otherEntry`) — through a visitor. Returns the JSON's name in the archive.
 */
async function readCocoJson(
  deps: EngineDeps,
  params: ImportParams,
  source: Opened,
  visitor: JsonObjectVisitor,
  otherEntry: ((entry: { name: string; body: AsyncIterable<Buffer> }) => Promise<void>) | null,
  expectedJson: string | null = null,
): Promise<string | null> {
  if (source.container === 'json') {
    await readJsonObject(await openSource(deps, params.sourceKey, source.gzip), 'the uploaded file', visitor, STREAM_LIMITS, COCO_NOT_AN_OBJECT);
    return null;
  }
  let jsonName: string | null = null;
  await walkTar(deps, params.sourceKey, source.gzip, async (entry) => {
    if (!isJsonName(entry.name)) return otherEntry?.(entry);
    if (expectedJson !== null && entry.name !== expectedJson) return;
    if (jsonName) throw new AppError('BAD_REQUEST', `the archive holds two JSON files (${jsonName}, ${entry.name}); a COCO archive has one instances JSON`);
    jsonName = entry.name;
    await readJsonObject(entry.body, `${entry.name} in the archive`, visitor, STREAM_LIMITS, `${entry.name} in the archive: ${COCO_NOT_AN_OBJECT}`);
  });
  if (!jsonName) throw new AppError('BAD_REQUEST', 'the archive holds no .json file; a COCO archive needs its instances JSON');
  return jsonName;
}

async function importSa1b(deps: EngineDeps, ctx: Ctx, params: ImportParams, source: Opened, progress: Progress): Promise<void> {
  const { tally } = ctx;
  let done = 0;
  const session = new ImportSession(deps, ctx, () => progress.at(done, tally));
  ctx.labels = sa1bImportLabels(deps, ctx.projectId, tally.labels.created, []);
  const importOne = async (doc: Sa1bDocument) => {
    await progress.at(done, tally);
    const slot = session.openImage(doc.image);
    for (const annotation of doc.annotations) await session.add(slot, annotation);
    done += 1;
  };
  if (source.container === 'json') {
    const doc = readSa1bDocument(await readJsonSource(deps, params.sourceKey, source.gzip), 'the uploaded file');
    await progress.begin(1);
    await importOne(doc);
  } else {
    // two passes: first the image files' hashes (they may come after their JSON), then the JSONs
    const hashes = new Map<string, string>();
    let sidecar = readSa1bSidecar(null);
    let jsonEntries = 0;
    await walkTar(deps, params.sourceKey, source.gzip, async (entry) => {
      const base = baseName(entry.name);
      if (base === SA1B_EXCHANGE_SIDECAR) {
        const doc = await parseJsonStream(entry.body, entry.name);
        sidecar = readSa1bSidecar(doc);
        ctx.labels = sa1bImportLabels(deps, ctx.projectId, tally.labels.created, readSa1bSidecarLabels(doc));
      }
      else if (!isJsonName(base)) hashes.set(base, await hashStream(entry.body));
      else if (!SA1B_SIDECARS.has(base)) jsonEntries += 1;
    });
    if (jsonEntries === 0) throw new AppError('BAD_REQUEST', 'the archive holds no sa_<id>.json files; an SA-1B archive has one JSON per image');
    await progress.begin(jsonEntries);
    await walkTar(deps, params.sourceKey, source.gzip, async (entry) => {
      if (!isJsonName(entry.name) || SA1B_SIDECARS.has(baseName(entry.name))) return;
      let doc: Sa1bDocument;
      try {
        doc = readSa1bDocument(await parseJsonStream(entry.body, entry.name), entry.name);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        session.skipFile(`${error.message} (skipped)`);
        done += 1;
        return;
      }
      const known = doc.image.fileName ? sidecar.get(baseName(doc.image.fileName)) : undefined;
      doc.image.sha256 ??= known?.sha256 ?? ((doc.image.fileName && hashes.get(baseName(doc.image.fileName))) || null);
      doc.image.altFileName = known?.originalFileName ?? null;
      await importOne(doc);
    });
  }
  await session.finish();
  if (tally.images.matched > 0) await ctx.labels.settle();
  await reportRunProgress(deps, ctx.runId, { done });
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
