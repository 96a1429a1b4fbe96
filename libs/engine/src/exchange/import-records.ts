// COCO instances JSON and SA-1B per-image JSON, read into one shape: per source image, how to find
// it in the project; its annotations (still unvalidated: each is checked on its own later, so one
// bad annotation never sinks the file) come whole with an SA-1B file and streamed from a COCO one.
// A document whose structure is wrong fails as a whole.
import { AppError, labelColorSchema, labelNameSchema } from '@dataengine/contracts';

export interface SourceImage {
  /** how messages name this image: its file name, else its id in the file */
  ref: string;
  fileName: string | null;
  /** another name to match by (the original upload name our SA-1B sidecar records) */
  altFileName: string | null;
  /** sha-256 of the image bytes, from our `sha256` field or the archive's copy of the image */
  sha256: string | null;
  width: number | null;
  height: number | null;
}

/** One SA-1B per-image file: its image and its (unvalidated) annotations. */
export interface Sa1bDocument {
  image: SourceImage;
  annotations: unknown[];
}

/** What a first pass over a COCO file found at its top level (its annotations are streamed later). */
export interface CocoTopLevel {
  images: unknown;
  /** SA-1B's per-image member, to tell the formats apart */
  image: unknown;
  /** the file's categories (coco-categories.ts reads them), undefined when it has none */
  categories?: unknown;
  annotations: 'array' | 'not-array' | 'missing';
}

/** A COCO file's images, in file order, with the index of each by its id (as a string). */
export interface CocoImages {
  images: SourceImage[];
  indexById: Map<string, number>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
const hashOrNull = (v: unknown): string | null => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : null);

/** The message for a COCO file whose top level is not an object. */
export const COCO_NOT_AN_OBJECT = 'the COCO file must be a JSON object with "images" and "annotations" lists';

/** Checks a COCO file's structure and reads its images list; a document with the wrong structure fails as a whole. */
export function readCocoImages(top: CocoTopLevel): CocoImages {
  if (!Array.isArray(top.images) && isObject(top.image)) {
    throw new AppError('BAD_REQUEST', 'this is an SA-1B per-image file (it has "image", not "images"); import it with format=sa1b');
  }
  if (!Array.isArray(top.images) || top.annotations !== 'array') {
    throw new AppError('BAD_REQUEST', 'the COCO file needs an "images" list and an "annotations" list; nothing was imported');
  }
  const indexById = new Map<string, number>();
  const images: SourceImage[] = [];
  top.images.forEach((entry: unknown, i: number) => {
    if (!isObject(entry) || (typeof entry['id'] !== 'number' && typeof entry['id'] !== 'string')) {
      throw new AppError('BAD_REQUEST', `images[${i}] of the COCO file has no id; every image needs an "id" and a "file_name"`);
    }
    const key = String(entry['id']);
    if (indexById.has(key)) throw new AppError('BAD_REQUEST', `the COCO file lists image id ${key} twice; image ids must be unique`);
    const fileName = typeof entry['file_name'] === 'string' && entry['file_name'] ? entry['file_name'] : null;
    indexById.set(key, images.length);
    images.push({
      ref: fileName ? `"${fileName}"` : `image id ${key}`,
      fileName,
      altFileName: null,
      sha256: hashOrNull(entry['sha256']),
      width: intOrNull(entry['width']),
      height: intOrNull(entry['height']),
    });
  });
  return { images, indexById };
}

/** The `image_id` of a COCO annotation as the images index keys it, if it has one. */
export function cocoImageIdOf(annotation: unknown): string | undefined {
  const id = isObject(annotation) ? annotation['image_id'] : undefined;
  return id === undefined ? undefined : String(id);
}

/** One `sa_<id>.json` object (SAM-SPEC.md §5.1). */
export function readSa1bDocument(doc: unknown, where: string): Sa1bDocument {
  if (isObject(doc) && Array.isArray(doc['images'])) {
    throw new AppError('BAD_REQUEST', `${where} is a COCO file (it has "images"); import it with format=coco`);
  }
  if (!isObject(doc) || !isObject(doc['image']) || !Array.isArray(doc['annotations'])) {
    throw new AppError('BAD_REQUEST', `${where} is not an SA-1B per-image file: it needs an "image" object and an "annotations" list`);
  }
  const image = doc['image'];
  const fileName = typeof image['file_name'] === 'string' && image['file_name'] ? image['file_name'] : null;
  return {
    image: {
      ref: fileName ? `"${fileName}"` : where,
      fileName,
      altFileName: null,
      sha256: hashOrNull(image['sha256']),
      width: intOrNull(image['width']),
      height: intOrNull(image['height']),
    },
    annotations: doc['annotations'],
  };
}

/** Our SA-1B export's sidecar: the project's label set in order (names that cannot be labels are left out). */
export function readSa1bSidecarLabels(doc: unknown): { name: string; color: string | null }[] {
  const rows = isObject(doc) && Array.isArray(doc['labels']) ? doc['labels'] : [];
  return rows.flatMap((row: unknown) => {
    if (!isObject(row)) return [];
    const name = labelNameSchema.safeParse(row['name']);
    const color = labelColorSchema.safeParse(row['color']);
    return name.success ? [{ name: name.data, color: color.success ? color.data : null }] : [];
  });
}

/** Our SA-1B export's sidecar: file_name → original name and content hash. Malformed rows are ignored. */
export function readSa1bSidecar(doc: unknown): Map<string, { sha256: string | null; originalFileName: string | null }> {
  const out = new Map<string, { sha256: string | null; originalFileName: string | null }>();
  const rows = isObject(doc) && Array.isArray(doc['images']) ? doc['images'] : [];
  for (const row of rows) {
    if (!isObject(row) || typeof row['file_name'] !== 'string') continue;
    out.set(row['file_name'], { sha256: hashOrNull(row['sha256']), originalFileName: typeof row['original_file_name'] === 'string' ? row['original_file_name'] : null });
  }
  return out;
}
