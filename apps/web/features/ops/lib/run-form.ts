// The console's "start a run" form as plain values, and the one function that turns them into the
// API's StartRunInput (validated with the same contract schema the API uses). Defaults come from
// the contract schemas, so the form shows what the engine would use.
import {
  evaluateParamsSchema,
  exportParamsSchema,
  prefillParamsSchema,
  retrainParamsSchema,
  retrainRefitSteps,
  startRunInputSchema,
  type ImageFilter,
  type RunDto,
  type Stage,
  type StartRunInput,
} from '@dataengine/contracts';

export const RUN_FORM_KINDS = ['prefill', 'autogen', 'retrain', 'evaluate', 'export'] as const;
export type RunFormKind = (typeof RUN_FORM_KINDS)[number];

const NIL = '00000000-0000-4000-8000-000000000000';
const prefill = prefillParamsSchema.parse({ projectId: NIL });
const retrain = retrainParamsSchema.parse({ projectId: NIL });
const evaluate = evaluateParamsSchema.parse({ projectId: NIL, candidateId: NIL });
const exported = exportParamsSchema.parse({ projectId: NIL });

/** The run kinds that process a selection of the project's images. */
export const SELECTING_KINDS: readonly RunFormKind[] = ['prefill', 'autogen', 'export'];

export interface RunFormValues {
  projectId: string;
  /** the selection by filter ('' = any) */
  stage: '' | Stage;
  taskStatus: '' | 'open' | 'leased' | 'submitted' | 'skipped';
  noMasks: boolean;
  split: '' | 'train' | 'val';
  /** only the images picked in the project's grid (the saved selection) */
  useSaved: boolean;
  /** advanced: image ids separated by commas or spaces */
  imageIds: string;
  /** autogen: run on stage-1/2 images too (confirmed in the form) */
  allowEarlierStages: boolean;
  boxScoreThreshold: string;
  predIouThresh: string;
  stabilityScoreThresh: string;
  maxMasksPerImage: string;
  preset: 'sam-default' | 'sa1b';
  /** AMG parameters overriding the preset, as a JSON object */
  overrides: string;
  mode: 'fast' | 'full';
  steps: string;
  /** full mode: fast steps that refit the decoder to the trained encoder */
  refitSteps: string;
  lr: string;
  /** fast mode: spend the steps on the masks the active checkpoint gets most wrong */
  hardExamples: boolean;
  evaluate: boolean;
  candidateId: string;
  /** empty: the project's active checkpoint */
  baselineId: string;
  /** empty: never promote automatically */
  margin: string;
  format: 'sa1b' | 'coco-rle' | 'coco-polygon';
  includeImages: boolean;
}

export const DEFAULT_RUN_FORM: RunFormValues = {
  projectId: '',
  stage: '',
  taskStatus: '',
  noMasks: false,
  split: '',
  useSaved: false,
  imageIds: '',
  allowEarlierStages: false,
  boxScoreThreshold: String(prefill.boxScoreThreshold),
  predIouThresh: String(prefill.predIouThresh),
  stabilityScoreThresh: String(prefill.stabilityScoreThresh),
  maxMasksPerImage: String(prefill.maxMasksPerImage),
  preset: 'sam-default',
  overrides: '{}',
  mode: retrain.mode,
  steps: String(retrain.steps),
  refitSteps: String(retrainRefitSteps({ mode: 'full' })),
  lr: String(retrain.lr),
  hardExamples: retrain.hardExamples,
  evaluate: retrain.evaluate,
  candidateId: '',
  baselineId: '',
  margin: String(evaluate.autoPromoteMargin ?? ''),
  format: exported.format,
  includeImages: exported.includeImages,
};

export type BuildResult = { ok: true; input: StartRunInput } | { ok: false; error: string };

class FormError extends Error {}

function num(value: string, name: string): number | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new FormError(`${name} must be a number, got "${value}"`);
  return n;
}

function imageSelection(value: string): number[] | undefined {
  const parts = value.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n <= 0) throw new FormError(`image ids are positive whole numbers; "${p}" is not one`);
    return n;
  });
}

function overrides(value: string): Record<string, number | boolean | string | null> {
  if (value.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new FormError('overrides must be a JSON object, e.g. {"pointsPerSide": 16}; this is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FormError('overrides must be a JSON object, e.g. {"pointsPerSide": 16}');
  for (const [key, v] of Object.entries(parsed)) {
    if (v !== null && !['number', 'boolean', 'string'].includes(typeof v)) throw new FormError(`override ${key} must be a number, true/false, a string or null`);
  }
  return parsed as Record<string, number | boolean | string | null>;
}

/** The stage a kind's selection starts at when its tab is opened: autogen is for stage-3 images. */
export const defaultStageFor = (kind: RunFormKind): RunFormValues['stage'] => (kind === 'autogen' ? 'fully_automatic' : '');

/** The form's filter as the API takes it (`saved`: the grid's picked images); undefined selects every ready image. */
export function selectionOf(v: RunFormValues, saved: readonly number[] = []): ImageFilter | undefined {
  const filter: ImageFilter = {
    ...(v.stage ? { stages: [v.stage] } : {}),
    ...(v.taskStatus ? { taskStatuses: [v.taskStatus] } : {}),
    ...(v.noMasks ? { noMasks: true } : {}),
    ...(v.split ? { split: v.split } : {}),
    ...(v.useSaved && saved.length > 0 ? { imageIds: [...saved] } : {}),
  };
  return Object.keys(filter).length > 0 ? filter : undefined;
}

/** Drops undefined fields so the schema's defaults apply. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function buildStartRunInput(kind: RunFormKind, v: RunFormValues, saved: readonly number[] = []): BuildResult {
  try {
    if (!v.projectId) throw new FormError('choose a project');
    const base = { kind, projectId: v.projectId, ...(SELECTING_KINDS.includes(kind) ? { selection: selectionOf(v, saved) } : {}) };
    const raw =
      kind === 'prefill'
        ? { ...base, imageIds: imageSelection(v.imageIds), boxScoreThreshold: num(v.boxScoreThreshold, 'box score threshold'), predIouThresh: num(v.predIouThresh, 'predicted IoU threshold'), stabilityScoreThresh: num(v.stabilityScoreThresh, 'stability threshold'), maxMasksPerImage: num(v.maxMasksPerImage, 'max masks per image') }
        : kind === 'autogen'
          ? { ...base, imageIds: imageSelection(v.imageIds), preset: v.preset, overrides: overrides(v.overrides), ...(v.allowEarlierStages ? { allowEarlierStages: true } : {}) }
          : kind === 'retrain'
            ? {
                ...base,
                mode: v.mode,
                steps: num(v.steps, 'steps'),
                lr: num(v.lr, 'learning rate'),
                evaluate: v.evaluate,
                ...(v.mode === 'fast' && v.hardExamples ? { hardExamples: true } : {}),
                ...(v.mode === 'full' ? { refitSteps: num(v.refitSteps, 'refit steps') } : {}),
              }
            : kind === 'evaluate'
              ? { ...base, candidateId: v.candidateId || undefined, baselineId: v.baselineId || undefined, autoPromoteMargin: v.margin.trim() === '' ? null : num(v.margin, 'margin') }
              : { ...base, imageIds: imageSelection(v.imageIds), format: v.format, includeImages: v.includeImages };
    if (kind === 'evaluate' && !v.candidateId) throw new FormError('choose the candidate checkpoint to evaluate');
    const parsed = startRunInputSchema.safeParse(defined(raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, error: `${issue.path.join('.') || kind}: ${issue.message}` };
    }
    return { ok: true, input: parsed.data };
  } catch (error) {
    if (error instanceof FormError) return { ok: false, error: error.message };
    throw error;
  }
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** What the form says once the API started the run (an evaluate run's total is its set's images, twice). */
export function startedRunMessage(run: Pick<RunDto, 'kind' | 'total'>): string {
  if (run.kind === 'evaluate') {
    const images = run.total / 2;
    return `Started an evaluate run: the candidate and the checkpoint it would replace, each on the same ${images} held-out image${images === 1 ? '' : 's'}; it is listed below.`;
  }
  return `Started ${article(run.kind)} ${run.kind} run over ${run.total} ${run.kind === 'retrain' ? 'steps' : 'items'}; it is listed below.`;
}
