// The per-mask fields our exports add to COCO and SA-1B annotations, and how an import reads them
// back. Unknown or missing values fall back to what a mask made by hand would have.
import type { Stage } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';

export type MaskRow = Prisma.MaskGetPayload<object>;
export type Provenance = 'manual' | 'prefill' | 'auto';

const PROVENANCES: ReadonlySet<string> = new Set(['manual', 'prefill', 'auto']);
const STAGES: ReadonlySet<string> = new Set(['assisted_manual', 'semi_automatic', 'fully_automatic']);
/** where a mask of each provenance is normally made, for files that do not say */
const STAGE_OF: Record<Provenance, Stage> = { manual: 'assisted_manual', prefill: 'semi_automatic', auto: 'fully_automatic' };

/** Our fields on an exported annotation (SA-1B names where SA-1B has them). */
export function maskAnnotationFields(row: MaskRow) {
  return {
    predicted_iou: row.predictedIou,
    stability_score: row.stabilityScore,
    point_coords: (row.pointCoords as [number, number][] | null) ?? null,
    crop_box: (row.cropBox as [number, number, number, number] | null) ?? null,
    provenance: row.provenance,
    stage: row.stage,
  };
}

export interface ImportedMaskFields {
  provenance: Provenance;
  stage: Stage;
  predictedIou: number | null;
  stabilityScore: number | null;
  pointCoords: [number, number][] | null;
  cropBox: [number, number, number, number] | null;
}

/** Reads our fields back from any annotation object; foreign files get 'manual' and no scores. */
export function readAnnotationFields(annotation: Record<string, unknown>): ImportedMaskFields {
  const provenance = typeof annotation['provenance'] === 'string' && PROVENANCES.has(annotation['provenance']) ? (annotation['provenance'] as Provenance) : 'manual';
  const stage = typeof annotation['stage'] === 'string' && STAGES.has(annotation['stage']) ? (annotation['stage'] as Stage) : STAGE_OF[provenance];
  return {
    provenance,
    stage,
    predictedIou: finiteOrNull(annotation['predicted_iou']),
    stabilityScore: finiteOrNull(annotation['stability_score']),
    pointCoords: pointList(annotation['point_coords']),
    cropBox: numberTuple(annotation['crop_box'], 4) as [number, number, number, number] | null,
  };
}

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function numberTuple(v: unknown, n: number): number[] | null {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (v as number[]) : null;
}

function pointList(v: unknown): [number, number][] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const points = v.map((p) => numberTuple(p, 2));
  return points.every((p) => p !== null) ? (points as [number, number][]) : null;
}
