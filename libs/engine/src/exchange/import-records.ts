// COCO instances JSON and SA-1B per-image JSON, read into one shape: per source image, how to find
// it in the project and its annotations (still unvalidated: each is checked on its own later, so
// one bad annotation never sinks the file). A document whose structure is wrong fails as a whole.
import { AppError } from '@dataengine/contracts';

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
  annotations: unknown[];
}

export interface CocoDocument {
  images: SourceImage[];
  /** annotations whose image_id the file does not list */
  orphans: { count: number; errors: string[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
const hashOrNull = (v: unknown): string | null => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : null);

export function readCocoDocument(doc: unknown): CocoDocument {
  if (!isObject(doc)) throw new AppError('BAD_REQUEST', 'the COCO file must be a JSON object with "images" and "annotations" lists');
  if (!Array.isArray(doc['images']) && isObject(doc['image'])) {
    throw new AppError('BAD_REQUEST', 'this is an SA-1B per-image file (it has "image", not "images"); import it with format=sa1b');
  }
  if (!Array.isArray(doc['images']) || !Array.isArray(doc['annotations'])) {
    throw new AppError('BAD_REQUEST', 'the COCO file needs an "images" list and an "annotations" list; nothing was imported');
  }
  const byId = new Map<string, SourceImage>();
  const images: SourceImage[] = [];
  doc['images'].forEach((entry: unknown, i: number) => {
    if (!isObject(entry) || (typeof entry['id'] !== 'number' && typeof entry['id'] !== 'string')) {
      throw new AppError('BAD_REQUEST', `images[${i}] of the COCO file has no id; every image needs an "id" and a "file_name"`);
    }
    const key = String(entry['id']);
    if (byId.has(key)) throw new AppError('BAD_REQUEST', `the COCO file lists image id ${key} twice; image ids must be unique`);
    const fileName = typeof entry['file_name'] === 'string' && entry['file_name'] ? entry['file_name'] : null;
    const image: SourceImage = {
      ref: fileName ? `"${fileName}"` : `image id ${key}`,
      fileName,
      altFileName: null,
      sha256: hashOrNull(entry['sha256']),
      width: intOrNull(entry['width']),
      height: intOrNull(entry['height']),
      annotations: [],
    };
    byId.set(key, image);
    images.push(image);
  });
  const orphans = { count: 0, errors: [] as string[] };
  doc['annotations'].forEach((annotation: unknown, i: number) => {
    const imageId = isObject(annotation) ? annotation['image_id'] : undefined;
    const image = imageId === undefined ? undefined : byId.get(String(imageId));
    if (image) return void image.annotations.push(annotation);
    orphans.count += 1;
    orphans.errors.push(`annotations[${i}] refers to image_id ${JSON.stringify(imageId ?? null)}, which the file's "images" list does not have`);
  });
  return { images, orphans };
}

/** One `sa_<id>.json` object (SAM-SPEC.md §5.1). */
export function readSa1bDocument(doc: unknown, where: string): SourceImage {
  if (isObject(doc) && Array.isArray(doc['images'])) {
    throw new AppError('BAD_REQUEST', `${where} is a COCO file (it has "images"); import it with format=coco`);
  }
  if (!isObject(doc) || !isObject(doc['image']) || !Array.isArray(doc['annotations'])) {
    throw new AppError('BAD_REQUEST', `${where} is not an SA-1B per-image file: it needs an "image" object and an "annotations" list`);
  }
  const image = doc['image'];
  const fileName = typeof image['file_name'] === 'string' && image['file_name'] ? image['file_name'] : null;
  return {
    ref: fileName ? `"${fileName}"` : where,
    fileName,
    altFileName: null,
    sha256: hashOrNull(image['sha256']),
    width: intOrNull(image['width']),
    height: intOrNull(image['height']),
    annotations: doc['annotations'],
  };
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
