// Importing one source image's annotations: find the project's image, validate every annotation on
// its own (a bad one is counted and reported, never fatal), insert the good ones idempotently and
// move the counters in the same transaction.
import { createHash } from 'node:crypto';
import { AppError } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import { nowOf, type EngineDeps } from '../engine-deps';
import { measureSegmentation } from '../masks/masks';
import { recordMaskCounters } from '../masks/mask-counters';
import { readAnnotationFields } from './annotation-fields';
import { cocoSegmentationToRle } from './coco-segmentation';
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
        byName.set(image.fileName, [...(byName.get(image.fileName) ?? []), image]);
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

export class ImportTally {
  images = { total: 0, matched: 0, unmatched: 0, withErrors: 0 };
  annotations = { total: 0, imported: 0, skipped: 0, failed: 0 };
  byProvenance = { manual: 0, prefill: 0, auto: 0 };
  matchedBy = { sha256: 0, fileName: 0 };
  /** project images whose annotations the import read (the ones a train/val choice moves) */
  readImageIds = new Set<number>();
  /** per-image JSON files of an archive that could not be read */
  unreadableFiles = 0;
  errors: string[] = [];

  fail(count: number, message: string): void {
    this.annotations.failed += count;
    if (this.errors.length < MAX_ERRORS_KEPT) this.errors.push(message);
  }

  summary() {
    return { images: this.images, annotations: this.annotations, byProvenance: this.byProvenance, matchedBy: this.matchedBy, unreadableFiles: this.unreadableFiles, errors: this.errors };
  }
}

export async function importSourceImage(deps: EngineDeps, ctx: { projectId: string; runId: string; matcher: ImageMatcher; tally: ImportTally }, source: SourceImage): Promise<void> {
  const { tally } = ctx;
  tally.images.total += 1;
  tally.annotations.total += source.annotations.length;
  const found = ctx.matcher.match(source);
  if ('error' in found) {
    tally.images.unmatched += 1;
    tally.fail(source.annotations.length, `${found.error} (${source.annotations.length} annotations not imported)`);
    return;
  }
  const { image } = found;
  tally.images.matched += 1;
  tally.matchedBy[found.by] += 1;
  if (source.width !== null && source.height !== null && (source.width !== image.width || source.height !== image.height)) {
    tally.images.withErrors += 1;
    tally.fail(source.annotations.length, `image ${source.ref} is ${source.width}×${source.height} in the file but image ${image.id} of the project is ${image.width}×${image.height}; annotations must be in the image's own pixel frame (${source.annotations.length} annotations not imported)`);
    return;
  }
  tally.readImageIds.add(image.id);
  const rows: Prisma.MaskCreateManyInput[] = [];
  const failedBefore = tally.annotations.failed;
  source.annotations.forEach((annotation, i) => {
    try {
      rows.push(toMaskRow(annotation, image, ctx, deps.settings.MASK_MAX_RLE_BYTES));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const id = typeof annotation === 'object' && annotation !== null ? (annotation as { id?: unknown }).id : undefined;
      tally.fail(1, `image ${source.ref}, annotation ${id !== undefined ? JSON.stringify(id) : `#${i}`}: ${error.message}`);
    }
  });
  if (tally.annotations.failed > failedBefore) tally.images.withErrors += 1;
  if (rows.length === 0) return;
  const groups = new Map<string, Prisma.MaskCreateManyInput[]>();
  for (const row of rows) {
    const key = `${row.stage}/${row.provenance}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  await deps.db.$transaction(async (tx) => {
    for (const group of groups.values()) {
      const { stage, provenance } = group[0]!;
      const { count } = await tx.mask.createMany({ data: group, skipDuplicates: true });
      tally.annotations.imported += count;
      tally.annotations.skipped += group.length - count;
      tally.byProvenance[provenance] += count;
      if (count > 0) await recordMaskCounters(tx, { projectId: ctx.projectId, stage, provenance, authorId: null, checkpointId: null, day: nowOf(deps) }, { masks: count, activeMs: 0, clicks: 0 });
    }
  });
}

/**
 * Validates one annotation against its image and builds the mask row. The client key is derived
 * from the source annotation id and the mask's own RLE, so importing the same file (or another
 * export of the same masks) again adds nothing, while a different mask that happens to reuse an
 * id is still imported.
 */
function toMaskRow(annotation: unknown, image: ProjectImage, ctx: { projectId: string; runId: string }, maxRleBytes: number): Prisma.MaskCreateManyInput {
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
    pointCoords: fields.pointCoords ?? Prisma.DbNull,
    cropBox: fields.cropBox ?? Prisma.DbNull,
    runId: ctx.runId,
    clientKey: `import:${sourceId}:${digest}`,
  };
}
