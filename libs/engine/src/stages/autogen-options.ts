// An autogen run's AMG parameters: a preset plus overrides, validated by the generator's own option
// code (SAM-SPEC.md §3.1) when the run starts and again in each job.
import { AppError, type AutogenParams } from '@dataengine/contracts';
import { AmgOptionsError, resolveAmgOptions, type AmgOptions } from '@dataengine/segment';

/** The numeric SamAutomaticMaskGenerator parameters a run may override (masks are always stored as COCO RLE). */
export const AUTOGEN_OVERRIDABLE = [
  'pointsPerSide',
  'pointsPerBatch',
  'predIouThresh',
  'stabilityScoreThresh',
  'stabilityScoreOffset',
  'boxNmsThresh',
  'cropNLayers',
  'cropNmsThresh',
  'cropOverlapRatio',
  'cropNPointsDownscaleFactor',
  'minMaskRegionArea',
] as const satisfies readonly (keyof AmgOptions)[];

type Overridable = (typeof AUTOGEN_OVERRIDABLE)[number];
const isOverridable = (key: string): key is Overridable => (AUTOGEN_OVERRIDABLE as readonly string[]).includes(key);

/** Resolved generator options, or a BAD_REQUEST naming every bad override. */
export function resolveAutogenOptions(params: Pick<AutogenParams, 'preset' | 'overrides'>): AmgOptions {
  const overrides: Partial<Record<Overridable, number>> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(params.overrides ?? {})) {
    if (!isOverridable(key)) {
      const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      problems.push(`"${key}" is not an AMG parameter${isOverridable(camel) ? ` (did you mean "${camel}"?)` : ''}`);
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${key} must be a number, got ${JSON.stringify(value)}`);
    } else {
      overrides[key] = value;
    }
  }
  if (problems.length) throw new AppError('BAD_REQUEST', `autogen overrides rejected: ${problems.join('; ')}. Parameters that can be overridden: ${AUTOGEN_OVERRIDABLE.join(', ')}`);
  try {
    return resolveAmgOptions({ ...overrides, outputMode: 'coco_rle' }, params.preset ?? 'sam-default');
  } catch (error) {
    if (error instanceof AmgOptionsError) throw new AppError('BAD_REQUEST', `autogen overrides rejected: ${error.message}`);
    throw error;
  }
}
