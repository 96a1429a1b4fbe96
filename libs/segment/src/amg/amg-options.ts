/**
 * SamAutomaticMaskGenerator parameters, defaults and presets (SAM-SPEC.md §3.1). Names are the
 * upstream snake_case ones in camelCase (`points_per_side` → `pointsPerSide`).
 */

/** §3.1 defaults of `SamAutomaticMaskGenerator.__init__`. */
export const AMG_DEFAULT_POINTS_PER_SIDE = 32;
export const AMG_DEFAULT_POINTS_PER_BATCH = 64;
export const AMG_DEFAULT_PRED_IOU_THRESH = 0.88;
export const AMG_DEFAULT_STABILITY_SCORE_THRESH = 0.95;
export const AMG_DEFAULT_STABILITY_SCORE_OFFSET = 1.0;
export const AMG_DEFAULT_BOX_NMS_THRESH = 0.7;
export const AMG_DEFAULT_CROP_N_LAYERS = 0;
export const AMG_DEFAULT_CROP_NMS_THRESH = 0.7;
export const AMG_DEFAULT_CROP_OVERLAP_RATIO = 512 / 1500;
export const AMG_DEFAULT_CROP_N_POINTS_DOWNSCALE_FACTOR = 1;
export const AMG_DEFAULT_MIN_MASK_REGION_AREA = 0;
export const AMG_DEFAULT_OUTPUT_MODE = 'binary_mask';
/** `Sam.mask_threshold` (§1.3, §3.1): binarise logits with `> 0.0`; not a parameter in SAM 1. */
export const AMG_MASK_THRESHOLD = 0.0;
/** `is_box_near_crop_edge` tolerance in pixels (§3.2 step 3g). */
export const CROP_EDGE_ATOL = 20;

export const AMG_OUTPUT_MODES = ['binary_mask', 'uncompressed_rle', 'coco_rle'] as const;
export type AmgOutputMode = (typeof AMG_OUTPUT_MODES)[number];

/** A point grid in normalised `[0, 1]²` coordinates, `[x, y]` per point. */
export type PointGrid = ReadonlyArray<readonly [x: number, y: number]>;

export interface AmgOptions {
  /** `points_per_side`; null when `pointGrids` is given (exactly one of the two must be set). */
  pointsPerSide: number | null;
  pointsPerBatch: number;
  predIouThresh: number;
  stabilityScoreThresh: number;
  stabilityScoreOffset: number;
  boxNmsThresh: number;
  cropNLayers: number;
  cropNmsThresh: number;
  cropOverlapRatio: number;
  cropNPointsDownscaleFactor: number;
  /** `point_grids`: explicit grids, one per layer (0 .. cropNLayers). */
  pointGrids: PointGrid[] | null;
  minMaskRegionArea: number;
  outputMode: AmgOutputMode;
}

/** Library defaults (§3.1). */
export const AMG_SAM_DEFAULT_OPTIONS: Readonly<AmgOptions> = Object.freeze({
  pointsPerSide: AMG_DEFAULT_POINTS_PER_SIDE,
  pointsPerBatch: AMG_DEFAULT_POINTS_PER_BATCH,
  predIouThresh: AMG_DEFAULT_PRED_IOU_THRESH,
  stabilityScoreThresh: AMG_DEFAULT_STABILITY_SCORE_THRESH,
  stabilityScoreOffset: AMG_DEFAULT_STABILITY_SCORE_OFFSET,
  boxNmsThresh: AMG_DEFAULT_BOX_NMS_THRESH,
  cropNLayers: AMG_DEFAULT_CROP_N_LAYERS,
  cropNmsThresh: AMG_DEFAULT_CROP_NMS_THRESH,
  cropOverlapRatio: AMG_DEFAULT_CROP_OVERLAP_RATIO,
  cropNPointsDownscaleFactor: AMG_DEFAULT_CROP_N_POINTS_DOWNSCALE_FACTOR,
  pointGrids: null,
  minMaskRegionArea: AMG_DEFAULT_MIN_MASK_REGION_AREA,
  outputMode: AMG_DEFAULT_OUTPUT_MODE,
});

/**
 * SA-1B generation settings (SAM paper App. B, SAM-SPEC.md §3.1, §9 item 9): 32×32 on the full
 * image plus 2×2 and 4×4 crop layers with 16×16 and 8×8 grids, holes/islands < 100 px.
 * The paper's "drop masks covering ≥ 95 % of the image" filter is not part of the public
 * generator and is not applied here either.
 */
export const AMG_SA1B_OPTIONS: Readonly<AmgOptions> = Object.freeze({
  ...AMG_SAM_DEFAULT_OPTIONS,
  cropNLayers: 2,
  cropNPointsDownscaleFactor: 2,
  minMaskRegionArea: 100,
});

export const AMG_PRESETS = { 'sam-default': AMG_SAM_DEFAULT_OPTIONS, sa1b: AMG_SA1B_OPTIONS } as const;
export type AmgPresetName = keyof typeof AMG_PRESETS;

/** Thrown for invalid generator options; the message names the option. */
export class AmgOptionsError extends Error {
  override readonly name = 'AmgOptionsError';
}

/**
 * Fills defaults from a preset (default `sam-default`) and validates. As upstream, exactly one of
 * `pointsPerSide` / `pointGrids` must be set: passing `pointGrids` alone clears the preset's grid size.
 */
export function resolveAmgOptions(options: Partial<AmgOptions> = {}, preset: AmgPresetName = 'sam-default'): AmgOptions {
  const base = AMG_PRESETS[preset];
  if (base === undefined) throw new AmgOptionsError(`unknown AMG preset "${String(preset)}"; known: ${Object.keys(AMG_PRESETS).join(', ')}`);
  const gridsOnly = options.pointGrids != null && options.pointsPerSide === undefined;
  const o: AmgOptions = { ...base, ...stripUndefined(options), ...(gridsOnly ? { pointsPerSide: null } : {}) };
  const check = (ok: boolean, msg: string): void => {
    if (!ok) throw new AmgOptionsError(`AMG option ${msg}`);
  };
  check((o.pointsPerSide === null) !== (o.pointGrids === null), 'exactly one of pointsPerSide (points_per_side) and pointGrids (point_grids) must be set');
  if (o.pointsPerSide !== null) check(isInt(o.pointsPerSide, 1), `pointsPerSide must be a positive integer, got ${o.pointsPerSide}`);
  check(isInt(o.pointsPerBatch, 1), `pointsPerBatch must be a positive integer, got ${o.pointsPerBatch}`);
  check(isInt(o.cropNLayers, 0), `cropNLayers must be a non-negative integer, got ${o.cropNLayers}`);
  check(isInt(o.minMaskRegionArea, 0), `minMaskRegionArea must be a non-negative integer, got ${o.minMaskRegionArea}`);
  for (const key of ['predIouThresh', 'stabilityScoreThresh', 'stabilityScoreOffset', 'boxNmsThresh', 'cropNmsThresh', 'cropOverlapRatio', 'cropNPointsDownscaleFactor'] as const) {
    check(Number.isFinite(o[key]), `${key} must be a finite number, got ${o[key]}`);
  }
  check(o.cropOverlapRatio >= 0 && o.cropOverlapRatio < 1, `cropOverlapRatio must be in [0, 1), got ${o.cropOverlapRatio}`);
  check(o.cropNPointsDownscaleFactor > 0, `cropNPointsDownscaleFactor must be > 0, got ${o.cropNPointsDownscaleFactor}`);
  check(AMG_OUTPUT_MODES.includes(o.outputMode), `outputMode must be one of ${AMG_OUTPUT_MODES.join(', ')}, got "${o.outputMode}"`);
  if (o.pointsPerSide !== null) {
    const last = Math.trunc(o.pointsPerSide / o.cropNPointsDownscaleFactor ** o.cropNLayers);
    check(last >= 1, `pointsPerSide ${o.pointsPerSide} / cropNPointsDownscaleFactor^${o.cropNLayers} leaves no points on the last crop layer`);
  }
  if (o.pointGrids !== null) {
    check(o.pointGrids.length >= o.cropNLayers + 1, `pointGrids needs one grid per layer (${o.cropNLayers + 1}), got ${o.pointGrids.length}`);
  }
  return o;
}

function isInt(v: number, min: number): boolean {
  return Number.isInteger(v) && v >= min;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
