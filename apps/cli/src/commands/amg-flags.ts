import { AMG_PRESETS, AmgOptionsError, resolveAmgOptions, type AmgOptions, type AmgPresetName } from '@dataengine/segment';
import { CliError, EXIT } from '../cli-command.types';

/** How a flag's value is read: integers stay integers (no silent truncation), floats may be fractional. */
type FlagKind = 'int' | 'float';

/**
 * Every SamAutomaticMaskGenerator parameter as a kebab-case flag (SAM-SPEC.md §3.1), mapped to its
 * option. Unlike upstream scripts/amg.py, `--crop-overlap-ratio` is a float (§3.1 note).
 * `point_grids` has no flag (explicit grids are an API feature).
 */
export const AMG_FLAGS = {
  'points-per-side': { key: 'pointsPerSide', kind: 'int' },
  'points-per-batch': { key: 'pointsPerBatch', kind: 'int' },
  'pred-iou-thresh': { key: 'predIouThresh', kind: 'float' },
  'stability-score-thresh': { key: 'stabilityScoreThresh', kind: 'float' },
  'stability-score-offset': { key: 'stabilityScoreOffset', kind: 'float' },
  'box-nms-thresh': { key: 'boxNmsThresh', kind: 'float' },
  'crop-n-layers': { key: 'cropNLayers', kind: 'int' },
  'crop-nms-thresh': { key: 'cropNmsThresh', kind: 'float' },
  'crop-overlap-ratio': { key: 'cropOverlapRatio', kind: 'float' },
  'crop-n-points-downscale-factor': { key: 'cropNPointsDownscaleFactor', kind: 'int' },
  'min-mask-region-area': { key: 'minMaskRegionArea', kind: 'int' },
} as const satisfies Record<string, { key: keyof AmgOptions; kind: FlagKind }>;

export type AmgFlagName = keyof typeof AMG_FLAGS;

/** The JSON encodings `--output-mode` offers (a dense `binary_mask` has no place in a JSON file). */
export const AMG_CLI_OUTPUT_MODES = ['coco_rle', 'uncompressed_rle'] as const;
export type AmgCliOutputMode = (typeof AMG_CLI_OUTPUT_MODES)[number];

/** node:util parseArgs options for the AMG flags. */
export const AMG_FLAG_OPTIONS = Object.fromEntries(Object.keys(AMG_FLAGS).map((f) => [f, { type: 'string' as const }])) as Record<AmgFlagName, { type: 'string' }>;

function parseFlagNumber(flag: string, value: string, kind: FlagKind): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new CliError(`--${flag} must be a number, got "${value}"`, EXIT.usage);
  if (kind === 'int' && !Number.isInteger(n)) throw new CliError(`--${flag} must be an integer, got "${value}"`, EXIT.usage);
  return n;
}

export function parsePreset(value: string | undefined): AmgPresetName {
  if (value === undefined) return 'sam-default';
  if (!Object.hasOwn(AMG_PRESETS, value)) throw new CliError(`unknown --preset "${value}"; known: ${Object.keys(AMG_PRESETS).join(', ')}`, EXIT.usage);
  return value as AmgPresetName;
}

export function parseOutputMode(value: string | undefined): AmgCliOutputMode {
  if (value === undefined) return 'coco_rle';
  if (!(AMG_CLI_OUTPUT_MODES as readonly string[]).includes(value)) {
    throw new CliError(`--output-mode must be one of ${AMG_CLI_OUTPUT_MODES.join(', ')} (SA-1B JSON holds RLE), got "${value}"`, EXIT.usage);
  }
  return value as AmgCliOutputMode;
}

/**
 * Flags → validated generator options (preset defaults filled in). Range errors from the library
 * name the option in camelCase; they are reworded with the flag name.
 */
export function amgOptionsFromFlags(values: Partial<Record<AmgFlagName, string>>, preset: AmgPresetName): AmgOptions {
  const options: Partial<AmgOptions> = { outputMode: 'coco_rle' };
  for (const [flag, spec] of Object.entries(AMG_FLAGS) as [AmgFlagName, (typeof AMG_FLAGS)[AmgFlagName]][]) {
    const raw = values[flag];
    if (raw !== undefined) (options as Record<string, number>)[spec.key] = parseFlagNumber(flag, raw, spec.kind);
  }
  try {
    return resolveAmgOptions(options, preset);
  } catch (error) {
    if (!(error instanceof AmgOptionsError)) throw error;
    let message = error.message.replace(/^AMG option /, '');
    for (const [flag, spec] of Object.entries(AMG_FLAGS)) message = message.replace(new RegExp(`\\b${spec.key}\\b( \\([a-z_]+\\))?`, 'g'), `--${flag}`);
    throw new CliError(message, EXIT.usage);
  }
}
