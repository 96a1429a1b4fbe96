// The project page's export and import panels as plain values: the export form → the API's
// StartRunInput (checked with the contract schema the API uses), the import file → its format,
// and the results the runs record, read defensively (run.result is free-form JSON). Pure.
import { exportParamsSchema, provenanceSchema, startRunInputSchema, type ExportFormat, type ImageFilter, type SplitChoice, type StartRunInput } from '@dataengine/contracts';

export type Provenance = (typeof provenanceSchema.options)[number];
export const PROVENANCES: readonly Provenance[] = provenanceSchema.options;

export const EXPORT_FORMATS: readonly { value: ExportFormat; label: string; help: string }[] = [
  { value: 'sa1b', label: 'SA-1B', help: 'A tar with one JSON per image (and the images), as the SA-1B dataset ships.' },
  { value: 'coco-rle', label: 'COCO RLE', help: 'COCO instances JSON, masks as compressed RLE: exact.' },
  { value: 'coco-polygon', label: 'COCO polygons', help: 'COCO instances JSON, masks as polygons traced on pixel corners (holes in segmentation_holes).' },
];

export interface ExportFormValues {
  format: ExportFormat;
  includeImages: boolean;
  /** provenances to export; all of them means no filter */
  provenance: Provenance[];
}

export const DEFAULT_EXPORT_FORM: ExportFormValues = {
  format: 'coco-rle',
  includeImages: exportParamsSchema.parse({ projectId: '00000000-0000-4000-8000-000000000000' }).includeImages,
  provenance: [...PROVENANCES],
};

export type ExportInputResult = { ok: true; input: StartRunInput } | { ok: false; error: string };

/** `selection`: which images (a filter the server resolves; every ready image when omitted). */
export function buildExportInput(projectId: string, v: ExportFormValues, selection?: ImageFilter): ExportInputResult {
  if (v.provenance.length === 0) return { ok: false, error: 'choose at least one provenance to export' };
  const all = PROVENANCES.every((p) => v.provenance.includes(p));
  // SA-1B always packs the images: its per-image JSON files name them
  const includeImages = v.format === 'sa1b' ? true : v.includeImages;
  const parsed = startRunInputSchema.safeParse({ kind: 'export', projectId, format: v.format, includeImages, ...(all ? {} : { provenance: PROVENANCES.filter((p) => v.provenance.includes(p)) }), ...(selection ? { selection } : {}) });
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, error: parsed.error.issues.map((i) => i.message).join('; ') };
}

export type ImportFormat = 'coco' | 'sa1b';
export const IMPORT_FORMATS: readonly { value: ImportFormat; label: string }[] = [
  { value: 'coco', label: 'COCO JSON (or a tar)' },
  { value: 'sa1b', label: 'SA-1B JSON (or a tar)' },
];
export const IMPORT_ACCEPT = '.json,.tar,.gz,.tgz,application/json,application/x-tar,application/gzip';

/** A first guess from the file name (SA-1B files are called sa_<id>.json / sa_*.tar); the user may change it. */
export function guessImportFormat(fileName: string): ImportFormat {
  return /(^|[/\\])sa_[^/\\]*$/i.test(fileName) || /sa1b/i.test(fileName) ? 'sa1b' : 'coco';
}

/** `split`: where the annotated images go — auto leaves them where they are (the default). */
export function importUrl(projectId: string, format: ImportFormat, split: SplitChoice = 'auto'): string {
  return `/api/projects/${encodeURIComponent(projectId)}/import?format=${format}${split === 'auto' ? '' : `&split=${split}`}`;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export interface ExportSummary {
  fileName: string | null;
  bytes: number;
  images: number;
  annotations: number;
}

export function exportSummary(result: Record<string, unknown> | null): ExportSummary | null {
  if (!result) return null;
  const artifact = obj(result['artifact']);
  return {
    fileName: typeof artifact['fileName'] === 'string' ? artifact['fileName'] : null,
    bytes: num(artifact['bytes']),
    images: num(result['images']),
    annotations: num(result['annotations']),
  };
}

export interface ImportSummary {
  images: { total: number; matched: number; unmatched: number };
  imported: number;
  skipped: number;
  failed: number;
  total: number;
  errors: string[];
}

export function importSummary(result: Record<string, unknown> | null): ImportSummary | null {
  if (!result) return null;
  const images = obj(result['images']);
  const annotations = obj(result['annotations']);
  const errors = Array.isArray(result['errors']) ? result['errors'].filter((e): e is string => typeof e === 'string') : [];
  return {
    images: { total: num(images['total']), matched: num(images['matched']), unmatched: num(images['unmatched']) },
    imported: num(annotations['imported']),
    skipped: num(annotations['skipped']),
    failed: num(annotations['failed']),
    total: num(annotations['total']),
    errors,
  };
}
