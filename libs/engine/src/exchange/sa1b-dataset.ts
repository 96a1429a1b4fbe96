// A project's masks as a dataset snapshot in the SA-1B layout (trainer/README.md "Dataset
// snapshots", SAM-SPEC.md §5): per image `sa_<id>.jpg` + `sa_<id>.json`, then `sa_images_ids.txt`,
// `split.json` and, last, `snapshot.json` — its presence marks a complete snapshot. The retrain
// loop trains on it; the export run packs it.
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import type { Sa1bImageJson } from '@dataengine/segment';
import { splitImageIds } from '@dataengine/synth';
import { writeFileAtomic } from '@dataengine/synth/node';
import { nowOf, type EngineDeps } from '../engine-deps';
import { maskAnnotationFields, type MaskRow, type Provenance } from './annotation-fields';

export interface WriteSa1bDatasetInput {
  projectId: string;
  /** A selection of the project's images (all listed are written, even without masks); by default every ready image with a selected mask. */
  imageIds?: number[];
  /** Local directory to write into; created if missing, must be empty. */
  dir: string;
  /**
   * Which masks: omitted = what a person has accepted (the training selection, `datasetMaskWhere`);
   * given = every non-deleted mask of these provenances.
   */
  provenance?: Provenance[];
  /**
   * Fraction of images drawn into the val split, used only when none of the images is a `val` image
   * (a project without a held-out set). Otherwise the val split is exactly the project's val images
   * (held-out-split.ts) and nothing else: they never train, and no train image is held back.
   */
  valFraction: number;
  seed: number;
  /** Write `sa_<id>.jpg` files (the trainer needs them; an annotations-only export does not). */
  includeImages: boolean;
  onProgress?: (written: number, total: number) => void;
  signal?: AbortSignal;
}

export interface Sa1bDatasetManifest {
  /** Content id: the same images, masks and split give the same id (recorded in checkpoint lineage). */
  id: string;
  format: 'sa1b';
  generator: 'dataengine';
  projectId: string;
  createdAt: string;
  seed: number;
  valFraction: number;
  /** 'accepted' = the training selection; otherwise the provenances asked for. */
  selection: 'accepted' | Provenance[];
  includeImages: boolean;
  counts: { images: number; annotations: number; train: number; val: number; byProvenance: Record<Provenance, number> };
  files: { imageIds: string; split: string; perImage: string[] };
}

export const SA1B_DATASET_FILES = { imageIds: 'sa_images_ids.txt', split: 'split.json', manifest: 'snapshot.json' } as const;

const JPEG_QUALITY = 95;
const IMAGE_BATCH = 100;

/**
 * The masks a dataset takes. Training selection (no provenance given): every non-deleted manual
 * mask, plus prefill and auto masks on images whose task was submitted — a person looked at those
 * images with the model's masks shown and left the kept ones standing (wrong ones get deleted or
 * fixed). Unreviewed model output never trains the next model.
 */
export function datasetMaskWhere(projectId: string, provenance?: Provenance[]): Prisma.MaskWhereInput {
  if (provenance) return { projectId, deletedAt: null, provenance: { in: provenance } };
  return { projectId, deletedAt: null, OR: [{ provenance: 'manual' }, { image: { tasks: { some: { status: 'submitted' } } } }] };
}

export async function writeSa1bDataset(deps: EngineDeps, input: WriteSa1bDatasetInput): Promise<Sa1bDatasetManifest> {
  if (!(input.valFraction >= 0 && input.valFraction <= 1)) throw new AppError('BAD_REQUEST', `valFraction must be between 0 and 1, got ${input.valFraction}`);
  const maskWhere = datasetMaskWhere(input.projectId, input.provenance);
  const images = await selectImages(deps, input, maskWhere);
  if (images.length === 0) throw new AppError('CONFLICT', 'the project has no images with accepted masks to write; annotate (or submit) some images first');
  await mkdir(input.dir, { recursive: true });
  const leftovers = await readdir(input.dir);
  if (leftovers.length) throw new AppError('CONFLICT', `the snapshot directory ${input.dir} is not empty; give a new directory`);

  const contentHash = createHash('sha256');
  const byProvenance: Record<Provenance, number> = { manual: 0, prefill: 0, auto: 0 };
  let annotations = 0;
  for (let i = 0; i < images.length; i += IMAGE_BATCH) {
    const batch = images.slice(i, i + IMAGE_BATCH);
    const masks = await deps.db.mask.findMany({ where: { ...maskWhere, imageId: { in: batch.map((b) => b.id) } }, orderBy: [{ imageId: 'asc' }, { id: 'asc' }], include: { label: { select: { name: true } } } });
    const byImage = new Map<number, LabelledMaskRow[]>();
    for (const m of masks) {
      const list = byImage.get(m.imageId);
      if (list) list.push(m);
      else byImage.set(m.imageId, [m]);
    }
    for (const [j, image] of batch.entries()) {
      input.signal?.throwIfAborted();
      const rows = byImage.get(image.id) ?? [];
      const record = toSa1bRecord(image, rows);
      const json = JSON.stringify(record);
      if (input.includeImages) await writeJpeg(deps, image, path.join(input.dir, `sa_${image.id}.jpg`));
      await writeFileAtomic(path.join(input.dir, `sa_${image.id}.json`), json);
      contentHash.update(`${image.id}\0${image.contentHash}\0${json}\n`);
      for (const m of rows) byProvenance[m.provenance]++;
      annotations += rows.length;
      input.onProgress?.(i + j + 1, images.length);
    }
  }

  const split = splitByImage(images, input.seed, input.valFraction);
  const splitJson = `${JSON.stringify(split, null, 2)}\n`;
  contentHash.update(splitJson);
  await writeFileAtomic(path.join(input.dir, SA1B_DATASET_FILES.imageIds), `${images.map((im) => im.id).join('\n')}\n`);
  await writeFileAtomic(path.join(input.dir, SA1B_DATASET_FILES.split), splitJson);
  const manifest: Sa1bDatasetManifest = {
    id: `sha256:${contentHash.digest('hex').slice(0, 16)}`,
    format: 'sa1b',
    generator: 'dataengine',
    projectId: input.projectId,
    createdAt: nowOf(deps).toISOString(),
    seed: input.seed,
    valFraction: input.valFraction,
    selection: input.provenance ?? 'accepted',
    includeImages: input.includeImages,
    counts: { images: images.length, annotations, train: split.train.length, val: split.val.length, byProvenance },
    files: { imageIds: SA1B_DATASET_FILES.imageIds, split: SA1B_DATASET_FILES.split, perImage: input.includeImages ? ['sa_<id>.jpg', 'sa_<id>.json'] : ['sa_<id>.json'] },
  };
  await writeFileAtomic(path.join(input.dir, SA1B_DATASET_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

type DatasetImage = Prisma.ImageGetPayload<{ select: typeof imageSelect }>;
type LabelledMaskRow = MaskRow & { label: { name: string } | null };
const imageSelect = { id: true, width: true, height: true, mime: true, blobKey: true, contentHash: true, split: true, status: true } as const;

async function selectImages(deps: EngineDeps, input: WriteSa1bDatasetInput, maskWhere: Prisma.MaskWhereInput): Promise<DatasetImage[]> {
  if (input.imageIds) {
    const ids = [...new Set(input.imageIds)].sort((a, b) => a - b);
    const rows = await deps.db.image.findMany({ where: { id: { in: ids }, projectId: input.projectId }, select: imageSelect, orderBy: { id: 'asc' } });
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new AppError('BAD_REQUEST', `image(s) ${missing.slice(0, 10).join(', ')} are not in this project`);
    const notReady = rows.filter((r) => r.status !== 'ready').map((r) => r.id);
    if (notReady.length) throw new AppError('CONFLICT', `image(s) ${notReady.slice(0, 10).join(', ')} are not ingested yet; run ingest first`);
    return rows;
  }
  const out: DatasetImage[] = [];
  for (let cursor = 0; ; ) {
    const batch = await deps.db.image.findMany({
      where: { projectId: input.projectId, status: 'ready', id: { gt: cursor }, masks: { some: maskWhere } },
      select: imageSelect,
      orderBy: { id: 'asc' },
      take: 5_000,
    });
    if (batch.length === 0) break;
    out.push(...batch);
    cursor = batch[batch.length - 1]!.id;
  }
  return out;
}

function toSa1bRecord(image: DatasetImage, rows: LabelledMaskRow[]): Sa1bImageJson {
  return {
    image: { image_id: image.id, width: image.width, height: image.height, file_name: `sa_${image.id}.jpg` },
    annotations: rows.map((m) => {
      const extra = maskAnnotationFields(m);
      // SA-1B key order (SAM-SPEC.md §5.1); scores and prompts stay null where no model made them
      return {
        id: Number(m.id),
        segmentation: { size: [m.rleHeight, m.rleWidth], counts: m.rleCounts },
        bbox: [m.bboxX, m.bboxY, m.bboxW, m.bboxH],
        area: m.area,
        predicted_iou: extra.predicted_iou,
        stability_score: extra.stability_score,
        crop_box: extra.crop_box,
        point_coords: extra.point_coords,
        provenance: extra.provenance,
        stage: extra.stage,
        // SA-1B is class-agnostic; the mask's label (class) rides along by name, null when it has none
        label: m.label?.name ?? null,
      };
    }) as unknown as Sa1bImageJson['annotations'],
  };
}

/** JPEG originals are used as they are; anything else (or a rotated JPEG) is re-encoded at the displayed size. */
async function writeJpeg(deps: EngineDeps, image: DatasetImage, target: string): Promise<void> {
  if (image.mime === 'image/jpeg') {
    const local = await deps.blobs.localPath(image.blobKey);
    const meta = await sharp(local, { limitInputPixels: false }).metadata();
    if ((meta.orientation ?? 1) === 1) {
      // originals are immutable: a hard link costs no space when the snapshot sits beside the blobs
      await link(local, target).catch(() => copyFile(local, target));
      return;
    }
  }
  // the same pixels the encoder sees (embed-image.ts: EXIF rotation applied, alpha dropped)
  const jpeg = await sharp(await deps.blobs.localPath(image.blobKey), { limitInputPixels: false })
    .rotate()
    .removeAlpha()
    .jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:4:4' })
    .toBuffer({ resolveWithObject: true });
  if (jpeg.info.width !== image.width || jpeg.info.height !== image.height) {
    throw new AppError('CONFLICT', `image ${image.id} decodes to ${jpeg.info.width}×${jpeg.info.height} but was ingested as ${image.width}×${image.height}; re-ingest it`);
  }
  await writeFileAtomic(target, jpeg.data);
}

/**
 * Train/val by image. The project's held-out set decides: `val` images go to val, never to train,
 * and every other image trains — the val split is the same set evaluate scores on, whatever the
 * seed. Only a selection with no `val` image at all (a project without a held-out set) gets a
 * seeded draw of round(n · valFraction) images (libs/synth's split) for the trainer's own numbers.
 */
export function splitByImage(images: readonly { id: number; split: 'train' | 'val' }[], seed: number, valFraction: number): { train: number[]; val: number[] } {
  const byNumber = (a: number, b: number) => a - b;
  const designated = images.filter((im) => im.split === 'val').map((im) => im.id);
  const others = images.filter((im) => im.split !== 'val').map((im) => im.id);
  if (designated.length > 0) return { train: others.sort(byNumber), val: designated.sort(byNumber) };
  const drawn = others.length && valFraction > 0 ? splitImageIds(others, seed, valFraction) : { train: others, val: [] };
  return { train: [...drawn.train].sort(byNumber), val: [...drawn.val].sort(byNumber) };
}
