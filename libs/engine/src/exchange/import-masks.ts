// Importing annotations: find each source image in the project, validate every annotation on its
// own (a bad one is counted and reported, never fatal), and insert the good ones idempotently in
// batches — each batch one short transaction that also moves the counters — so a file of 100,000
// annotations never holds them all, never runs one long transaction, and can be cancelled between
// batches (what was inserted stays; importing the file again adds only the rest).
import { createHash } from 'node:crypto';
import { AppError } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { nowOf, type EngineDeps } from '../engine-deps';
import { measureSegmentation } from '../masks/masks';
import { recordMaskCounters } from '../masks/mask-counters';
import { readAnnotationFields, type ImportedMaskFields } from './annotation-fields';
import { cocoSegmentationToRle } from './coco-segmentation';
import type { ImportLabels } from './import-labels';
import type { SourceImage } from './import-records';

const MAX_ERRORS_KEPT = 20;

export interface ProjectImage {
  id: number;
  fileName: string;
  width: number;
  height: number;
}

/**
 * Finds a source image among the project's images: by content (sha-256 of the bytes, from our
 * exports' `sha256` field or the image file inside the archive), else by file name (exact, then
 * the name without folders). A name shared by several project images is refused as ambiguous.
 */
export class ImageMatcher {
  private constructor(
    private readonly byHash: Map<string, ProjectImage>,
    private readonly byName: Map<string, ProjectImage[]>,
  ) {}

  static async load(deps: EngineDeps, projectId: string): Promise<ImageMatcher> {
    const byHash = new Map<string, ProjectImage>();
    const byName = new Map<string, ProjectImage[]>();
    for (let cursor = 0; ; ) {
      const rows = await deps.db.image.findMany({
        where: { projectId, id: { gt: cursor } },
        select: { id: true, fileName: true, width: true, height: true, contentHash: true },
        orderBy: { id: 'asc' },
        take: 5_000,
      });
      if (rows.length === 0) break;
      for (const { contentHash, ...image } of rows) {
        byHash.set(contentHash, image);
        const named = byName.get(image.fileName);
        if (named) named.push(image);
        else byName.set(image.fileName, [image]);
      }
      cursor = rows[rows.length - 1]!.id;
    }
    return new ImageMatcher(byHash, byName);
  }

  match(source: SourceImage): { image: ProjectImage; by: 'sha256' | 'fileName' } | { error: string } {
    const byContent = source.sha256 ? this.byHash.get(source.sha256) : undefined;
    if (byContent) return { image: byContent, by: 'sha256' };
    for (const name of [source.fileName, source.altFileName]) {
      if (!name) continue;
      const named = this.byName.get(name) ?? this.byName.get(name.split(/[\\/]/).pop()!) ?? [];
      if (named.length === 1) return { image: named[0]!, by: 'fileName' };
      if (named.length > 1) {
        return { error: `image ${source.ref} is ambiguous: ${named.length} images of the project (ids ${named.slice(0, 5).map((i) => i.id).join(', ')}) are called "${name}"; rename them or import a file that carries the images' sha256` };
      }
    }
    return { error: `image ${source.ref} matches no image of the project (by content or by file name); upload it to the project first` };
  }
}

/** Where a problem sits in the file: problems are reported in file order, the first MAX_ERRORS_KEPT kept. */
export type ErrorPosition = [image: number, annotation: number];

export class ImportTally {
  images = { total: 0, matched: 0, unmatched: 0, withErrors: 0 };
  annotations = { total: 0, imported: 0, skipped: 0, failed: 0 };
  byProvenance = { manual: 0, prefill: 0, auto: 0 };
  matchedBy = { sha256: 0, fileName: 0 };
  /** project images whose annotations the import read (the ones a train/val choice moves) */
  readImageIds = new Set<number>();
  /** per-image JSON files of an archive that could not be read */
  unreadableFiles = 0;
  /** insert transactions: how many, and the slowest (ms) */
  batches = { count: 0, slowestMs: 0 };
  /** labels the file's masks carry that the project did not have: added, in order */
  labels = { created: [] as string[] };
  private kept: { at: ErrorPosition; message: string }[] = [];
  private noted = 0;

  get errors(): string[] {
    return this.kept.map((e) => e.message);
  }

  /** Counts `count` annotations as failed and notes why. */
  fail(count: number, message: string, at?: ErrorPosition): void {
    this.annotations.failed += count;
    this.note(message, at);
  }

  /** Keeps the message if it is among the first MAX_ERRORS_KEPT problems in file order. */
  note(message: string, at: ErrorPosition = [Number.MAX_SAFE_INTEGER, this.noted]): void {
    this.noted++;
    const before = (a: ErrorPosition, b: ErrorPosition) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    if (this.kept.length >= MAX_ERRORS_KEPT && !before(at, this.kept[this.kept.length - 1]!.at)) return;
    let i = this.kept.length;
    while (i > 0 && before(at, this.kept[i - 1]!.at)) i--;
    this.kept.splice(i, 0, { at, message });
    if (this.kept.length > MAX_ERRORS_KEPT) this.kept.pop();
  }

  summary() {
    return { images: this.images, annotations: this.annotations, byProvenance: this.byProvenance, matchedBy: this.matchedBy, labels: this.labels, unreadableFiles: this.unreadableFiles, errors: this.errors, batches: this.batches };
  }
}

/** Masks inserted per transaction: about 0.1 s each, far under the 5 s transaction timeout. */
export const IMPORT_BATCH_ROWS = 1_000;

export interface ImportContext {
  projectId: string;
  runId: string;
  matcher: ImageMatcher;
  tally: ImportTally;
  /** the label of each annotation (COCO category_id, SA-1B label) */
  labels: ImportLabels;
}

/** One source image of the file: the project image it matched, or why its annotations are not imported. */
export interface ImageSlot {
  /** its position in the file (orders the problems reported) */
  order: number;
  source: SourceImage;
  image: ProjectImage | null;
  /** the image-level problem (unmatched, other size): every annotation of it fails */
  problem: string | null;
  /** annotations of this image read so far */
  seen: number;
  /** annotations lost to the image-level problem */
  lost: number;
  withErrors: boolean;
}

/**
 * Reads annotations one at a time (in any order of images), buffers valid rows and writes them a
 * batch at a time. `beforeBatch` runs before each batch and at least every IMPORT_BATCH_ROWS
 * annotations: the caller checks for a cancel there and reports progress (annotations processed).
 */
export class ImportSession {
  private rows: ImportRow[] = [];
  private slots: ImageSlot[] = [];
  /** annotations handled so far: imported, skipped as already there, or failed */
  processed = 0;
  private lastStep = 0;

  constructor(
    private readonly deps: EngineDeps,
    private readonly ctx: ImportContext,
    private readonly beforeBatch: (processed: number) => Promise<void>,
  ) {}

  /** A source image of the file: matched against the project's images and checked for size. */
  openImage(source: SourceImage): ImageSlot {
    const { tally } = this.ctx;
    tally.images.total += 1;
    const slot: ImageSlot = { order: this.slots.length, source, image: null, problem: null, seen: 0, lost: 0, withErrors: false };
    this.slots.push(slot);
    const found = this.ctx.matcher.match(source);
    if ('error' in found) {
      tally.images.unmatched += 1;
      slot.problem = found.error;
      return slot;
    }
    const { image } = found;
    tally.images.matched += 1;
    tally.matchedBy[found.by] += 1;
    if (source.width !== null && source.height !== null && (source.width !== image.width || source.height !== image.height)) {
      tally.images.withErrors += 1;
      slot.withErrors = true;
      slot.problem = `image ${source.ref} is ${source.width}×${source.height} in the file but image ${image.id} of the project is ${image.width}×${image.height}; annotations must be in the image's own pixel frame`;
      return slot;
    }
    slot.image = image;
    tally.readImageIds.add(image.id);
    return slot;
  }

  /** One annotation of an opened image. */
  async add(slot: ImageSlot, annotation: unknown): Promise<void> {
    const { tally } = this.ctx;
    const index = slot.seen++;
    tally.annotations.total += 1;
    this.processed += 1;
    if (!slot.image) {
      slot.lost += 1;
      tally.annotations.failed += 1;
    } else {
      try {
        const row = toMaskRow(annotation, slot.image, this.ctx, this.deps.settings.MASK_MAX_RLE_BYTES);
        row.labelId = await this.ctx.labels.of(annotation as Record<string, unknown>);
        this.rows.push(row);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const id = typeof annotation === 'object' && annotation !== null ? (annotation as { id?: unknown }).id : undefined;
        tally.fail(1, `image ${slot.source.ref}, annotation ${id !== undefined ? JSON.stringify(id) : `#${index}`}: ${error.message}`, [slot.order, index]);
        if (!slot.withErrors) {
          slot.withErrors = true;
          tally.images.withErrors += 1;
        }
      }
    }
    if (this.rows.length >= IMPORT_BATCH_ROWS || this.processed - this.lastStep >= IMPORT_BATCH_ROWS) await this.step();
  }

  /** An annotation whose image the file does not list. */
  async orphan(message: string, position: number): Promise<void> {
    this.ctx.tally.annotations.total += 1;
    this.processed += 1;
    this.ctx.tally.fail(1, message, [-1, position]);
    if (this.processed - this.lastStep >= IMPORT_BATCH_ROWS) await this.step();
  }

  /** A per-image file of an archive that could not be read: reported where it sits among the images. */
  skipFile(message: string): void {
    this.ctx.tally.unreadableFiles += 1;
    this.ctx.tally.note(message, [this.slots.length, -2]);
  }

  /** Writes what is buffered and reports each image whose annotations could not be imported. */
  async finish(): Promise<void> {
    await this.step();
    for (const slot of this.slots) {
      if (slot.problem) this.ctx.tally.note(`${slot.problem} (${slot.lost} annotations not imported)`, [slot.order, -1]);
    }
  }

  private async step(): Promise<void> {
    this.lastStep = this.processed;
    await this.beforeBatch(this.processed);
    if (this.rows.length === 0) return;
    const batch = this.rows;
    this.rows = [];
    await writeBatch(this.deps, this.ctx, batch);
  }
}

/** A mask row as the import inserts it. */
interface ImportRow {
  projectId: string;
  imageId: number;
  runId: string;
  stage: ImportedMaskFields['stage'];
  provenance: ImportedMaskFields['provenance'];
  rleCounts: string;
  rleHeight: number;
  rleWidth: number;
  bboxX: number;
  bboxY: number;
  bboxW: number;
  bboxH: number;
  area: number;
  predictedIou: number | null;
  stabilityScore: number | null;
  pointCoords: ImportedMaskFields['pointCoords'];
  cropBox: ImportedMaskFields['cropBox'];
  clientKey: string;
  labelId: string | null;
}

/** One transaction: the rows (already there → skipped) and the counters they move. */
async function writeBatch(deps: EngineDeps, ctx: ImportContext, rows: ImportRow[]): Promise<void> {
  const groups = new Map<string, ImportRow[]>();
  for (const row of rows) {
    const key = `${row.stage}/${row.provenance}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const started = performance.now();
  const counts = await deps.db.$transaction(async (tx) => {
    const out: { provenance: ImportRow['provenance']; rows: number; inserted: number }[] = [];
    for (const group of groups.values()) {
      const { stage, provenance } = group[0]!;
      const inserted = await insertRows(tx, group);
      if (inserted > 0) await recordMaskCounters(tx, { projectId: ctx.projectId, stage, provenance, authorId: null, checkpointId: null, day: nowOf(deps) }, { masks: inserted, activeMs: 0, clicks: 0 });
      out.push({ provenance, rows: group.length, inserted });
    }
    return out;
  });
  const { tally } = ctx;
  tally.batches.count += 1;
  tally.batches.slowestMs = Math.max(tally.batches.slowestMs, Math.round(performance.now() - started));
  for (const c of counts) {
    tally.annotations.imported += c.inserted;
    tally.annotations.skipped += c.rows - c.inserted;
    tally.byProvenance[c.provenance] += c.inserted;
  }
}

/**
 * Inserts the rows with one statement — a column per array, unnested — skipping masks already
 * there (same image and client key). Returns how many were new. Prisma's createMany builds and
 * checks an object per field per row, which for a 1,000-row batch cost several times the insert.
 */
async function insertRows(tx: Prisma.TransactionClient, rows: ImportRow[]): Promise<number> {
  const col = <K extends keyof ImportRow>(key: K): ImportRow[K][] => rows.map((r) => r[key]);
  const json = (key: 'pointCoords' | 'cropBox') => rows.map((r) => (r[key] === null ? null : JSON.stringify(r[key])));
  return tx.$executeRaw`
    INSERT INTO "masks" ("project_id", "image_id", "run_id", "stage", "provenance", "rle_counts", "rle_height", "rle_width",
                         "bbox_x", "bbox_y", "bbox_w", "bbox_h", "area", "predicted_iou", "stability_score", "point_coords", "crop_box", "client_key", "label_id")
    SELECT t.project_id::uuid, t.image_id, t.run_id::uuid, t.stage::"stage", t.provenance::"provenance", t.rle_counts, t.rle_height, t.rle_width,
           t.bbox_x, t.bbox_y, t.bbox_w, t.bbox_h, t.area, t.predicted_iou, t.stability_score, t.point_coords::jsonb, t.crop_box::jsonb, t.client_key, t.label_id::uuid
      FROM unnest(${col('projectId')}::text[], ${col('imageId')}::int[], ${col('runId')}::text[], ${col('stage')}::text[], ${col('provenance')}::text[],
                  ${col('rleCounts')}::text[], ${col('rleHeight')}::int[], ${col('rleWidth')}::int[], ${col('bboxX')}::int[], ${col('bboxY')}::int[],
                  ${col('bboxW')}::int[], ${col('bboxH')}::int[], ${col('area')}::int[], ${col('predictedIou')}::real[], ${col('stabilityScore')}::real[],
                  ${json('pointCoords')}::text[], ${json('cropBox')}::text[], ${col('clientKey')}::text[], ${col('labelId')}::text[])
        AS t(project_id, image_id, run_id, stage, provenance, rle_counts, rle_height, rle_width, bbox_x, bbox_y, bbox_w, bbox_h, area,
             predicted_iou, stability_score, point_coords, crop_box, client_key, label_id)
    ON CONFLICT ("image_id", "client_key") DO NOTHING`;
}

/**
 * Validates one annotation against its image and builds the mask row. The client key is derived
 * from the source annotation id and the mask's own RLE, so importing the same file (or another
 * export of the same masks) again adds nothing, while a different mask that happens to reuse an
 * id is still imported.
 */
function toMaskRow(annotation: unknown, image: ProjectImage, ctx: { projectId: string; runId: string }, maxRleBytes: number): ImportRow {
  if (typeof annotation !== 'object' || annotation === null || Array.isArray(annotation)) throw new AppError('BAD_REQUEST', 'the annotation is not a JSON object');
  const record = annotation as Record<string, unknown>;
  const rle = cocoSegmentationToRle(record['segmentation'], record['segmentation_holes'], image);
  const measured = measureSegmentation(rle, image, maxRleBytes);
  const fields = readAnnotationFields(record);
  const sourceId = typeof record['id'] === 'number' || typeof record['id'] === 'string' ? String(record['id']).slice(0, 40) : '';
  const digest = createHash('sha256').update(`${measured.rleHeight}x${measured.rleWidth}:${measured.rleCounts}`).digest('hex').slice(0, 24);
  return {
    ...measured,
    projectId: ctx.projectId,
    imageId: image.id,
    stage: fields.stage,
    provenance: fields.provenance,
    predictedIou: fields.predictedIou,
    stabilityScore: fields.stabilityScore,
    pointCoords: fields.pointCoords,
    cropBox: fields.cropBox,
    runId: ctx.runId,
    clientKey: `import:${sourceId}:${digest}`,
    labelId: null,
  };
}
