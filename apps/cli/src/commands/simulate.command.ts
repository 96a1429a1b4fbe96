// `dataengine simulate`: runs the whole engine on a synthetic project with known ground truth and
// prints the SAM paper's per-stage table (see libs/engine/src/simulate). Needs PostgreSQL and Redis
// (the configured ones); the jobs run in worker processes this command starts.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError, retrainModeSchema, type RetrainMode } from '@dataengine/contracts';
import { SCENE_VARIANTS, type SceneVariant } from '@dataengine/synth';
import { createLogger } from '@dataengine/config';
import { isDatabaseUnavailableError } from '@dataengine/db';
import {
  createEngineRuntime,
  formatSimulationTable,
  runSimulation,
  SIMULATION_DEFAULTS,
  SimulationError,
  SimulationFailure,
  type SimulatedStage,
  type SimulationOptions,
  type SimulationReport,
  validateSimulationOptions,
} from '@dataengine/engine';
import { parseCliArgs, parsePositiveInt } from '../cli-args';
import { CliError, EXIT, type CliCommand, type CliIo } from '../cli-command.types';
import { loadCliConfig } from '../cli-config';
import { prepareInstallation } from './simulate-preflight';
import { startWorkerProcesses, type WorkerPool } from './simulate-workers';

const D = SIMULATION_DEFAULTS;
const USAGE = `dataengine simulate [--scenes classic|studio=${D.scenes}] [--images N=${D.images}] [--seed S=${D.seed}] [--annotators N=${D.annotators}] [--stages 1,2,3]
         [--stage1 FRACTION=${D.stage1Fraction}] [--stage2 FRACTION=${D.stage2Fraction}] (stage 3 gets the rest)
         [--retrain-every IMAGES=${D.retrainEvery} (0: never)] [--retrain-steps N=${D.retrainSteps}] [--full-steps N=${D.retrainFullSteps} (a full retrain's encoder phase)] [--auto-promote-margin M=${D.autoPromoteMargin}|off]
         [--full-every N=${D.retrainFullEvery} (every Nth retrain full, the others fast; 0: never)] [--retrain-mode fast|full (every retrain; with --full-every, the others)] [--retrain-warmup STEPS] [--retrain-lr LR] (default: the retrain run's) [--retrain-hard-examples]
         [--val-images N=${D.valImages} (the project's held-out set, annotated first)] [--val-every N=${D.valEvery} (also hold out every Nth stage-1 image)]
         [--held-out-scenes N=${D.heldOutScenes} (never uploaded; each round's checkpoint is scored on them)]
         [--prefill KEY=VALUE]… (prefill run: boxScoreThreshold, predIouThresh, stabilityScoreThresh, maxMasksPerImage)
         [--autogen-preset sam-default|sa1b] [--autogen KEY=VALUE]… (AMG overrides; default pointsPerSide=${D.autogen.overrides.pointsPerSide})
         [--target-iou X=${D.targetIou}] [--max-clicks N=${D.maxClicks}] [--touch-up-iou X=${D.touchUpIou}|off] [--min-area PIXELS=${D.minObjectArea}] [--focus-max-area PIXELS=${D.focusMaxArea} (smaller objects in the focus view; 0: off)]
         [--seconds-per-mask S=${D.time.secondsPerMask}] [--seconds-per-click S=${D.time.secondsPerClick}] [--seconds-per-review S=${D.time.secondsPerReview}]
         [--seconds-per-stroke S=${D.time.secondsPerStroke}] [--seconds-per-stroke-pixel S=${D.time.secondsPerStrokePixel}] (touch-up: per error region, per pixel of its half perimeter)
         [--size WxH=${D.width}x${D.height}] [--name PROJECT] [--workers N=1] [--timeout MINUTES=${D.waitTimeoutMs / 60_000}]
         [--json] [--out FILE.json] [--verbose]`;

const FLAGS = {
  images: { type: 'string' },
  seed: { type: 'string' },
  annotators: { type: 'string' },
  stages: { type: 'string' },
  stage1: { type: 'string' },
  stage2: { type: 'string' },
  'retrain-every': { type: 'string' },
  'retrain-steps': { type: 'string' },
  'full-steps': { type: 'string' },
  'retrain-warmup': { type: 'string' },
  'retrain-lr': { type: 'string' },
  'retrain-hard-examples': { type: 'boolean' },
  'auto-promote-margin': { type: 'string' },
  'val-every': { type: 'string' },
  'val-images': { type: 'string' },
  'held-out-scenes': { type: 'string' },
  'retrain-mode': { type: 'string' },
  'full-every': { type: 'string' },
  scenes: { type: 'string' },
  prefill: { type: 'string', multiple: true },
  autogen: { type: 'string', multiple: true },
  'autogen-preset': { type: 'string' },
  'target-iou': { type: 'string' },
  'max-clicks': { type: 'string' },
  'touch-up-iou': { type: 'string' },
  'min-area': { type: 'string' },
  'focus-max-area': { type: 'string' },
  'seconds-per-mask': { type: 'string' },
  'seconds-per-click': { type: 'string' },
  'seconds-per-review': { type: 'string' },
  'seconds-per-stroke': { type: 'string' },
  'seconds-per-stroke-pixel': { type: 'string' },
  size: { type: 'string' },
  name: { type: 'string' },
  workers: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

function number(value: string | undefined, flag: string, fallback: number, check: (n: number) => boolean = (n) => n >= 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new CliError(`--${flag} got "${value}", which is not allowed here\nusage: ${USAGE}`, EXIT.usage);
  return n;
}

function nonNegativeInt(value: string | undefined, flag: string, fallback: number): number {
  return number(value, flag, fallback, (n) => Number.isInteger(n) && n >= 0);
}

function parseStages(value: string | undefined): SimulatedStage[] {
  if (value === undefined) return [...D.stages];
  const stages = value.split(',').map((s) => s.trim());
  if (stages.length === 0 || stages.some((s) => s !== '1' && s !== '2' && s !== '3')) throw new CliError(`--stages takes a list of 1, 2 and 3 (e.g. 1,2), got "${value}"`, EXIT.usage);
  return [...new Set(stages.map(Number) as SimulatedStage[])].sort();
}

/** KEY=VALUE pairs with numeric values; the run's own schema checks the keys when it starts. */
function parseOverrides(values: string[] | undefined, flag: string, defaults: Record<string, number>): Record<string, number> {
  const out = { ...defaults };
  for (const pair of values ?? []) {
    const m = /^([A-Za-z][\w]*)=(.+)$/.exec(pair);
    const n = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(n)) throw new CliError(`--${flag} takes KEY=NUMBER (e.g. --${flag} predIouThresh=0.5), got "${pair}"`, EXIT.usage);
    out[m[1]!] = n;
  }
  return out;
}

function parsePreset(value: string | undefined): 'sam-default' | 'sa1b' {
  if (value === undefined) return D.autogen.preset;
  if (value !== 'sam-default' && value !== 'sa1b') throw new CliError(`--autogen-preset is sam-default or sa1b, got "${value}"`, EXIT.usage);
  return value;
}

function parseScenes(value: string | undefined): SceneVariant {
  if (value === undefined) return D.scenes;
  if (!(SCENE_VARIANTS as readonly string[]).includes(value)) throw new CliError(`--scenes takes ${SCENE_VARIANTS.join(' or ')}, got "${value}"`, EXIT.usage);
  return value as SceneVariant;
}

function parseRetrainMode(value: string | undefined): RetrainMode | null {
  if (value === undefined) return D.retrainMode;
  const parsed = retrainModeSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`--retrain-mode takes fast or full, got "${value}"`, EXIT.usage);
  return parsed.data;
}

function parseSize(value: string | undefined): { width: number; height: number } {
  if (value === undefined) return { width: D.width, height: D.height };
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m) throw new CliError(`--size takes WIDTHxHEIGHT (e.g. 512x384), got "${value}"`, EXIT.usage);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** The evaluate runs' NoC cap in a simulation: the annotators' click budget, at least the gate's 5 clicks, at most the setting's 100. */
export const evaluateClickCap = (maxClicks: number): number => Math.min(100, Math.max(5, maxClicks));

export function parseSimulateArgs(args: string[]): { options: Omit<SimulationOptions, 'modelDir'>; workers: number; json: boolean; out?: string; verbose: boolean } {
  const { values, positionals } = parseCliArgs(args, FLAGS, USAGE);
  if (positionals.length > 0) throw new CliError(`simulate takes no positional arguments, got "${positionals[0]}"\nusage: ${USAGE}`, EXIT.usage);
  const margin = values['auto-promote-margin'];
  const touchUp = values['touch-up-iou'];
  const lr = values['retrain-lr'];
  const options: Omit<SimulationOptions, 'modelDir'> = {
    images: parsePositiveInt(values.images, '--images') ?? D.images,
    scenes: parseScenes(values.scenes),
    valImages: nonNegativeInt(values['val-images'], 'val-images', D.valImages),
    heldOutScenes: nonNegativeInt(values['held-out-scenes'], 'held-out-scenes', D.heldOutScenes),
    retrainMode: parseRetrainMode(values['retrain-mode']),
    // --retrain-mode alone makes every retrain that mode; with --full-every too, the cadence wins for every Kth
    retrainFullEvery: nonNegativeInt(values['full-every'], 'full-every', values['retrain-mode'] === undefined ? D.retrainFullEvery : 0),
    seed: nonNegativeInt(values.seed, 'seed', D.seed),
    annotators: parsePositiveInt(values.annotators, '--annotators') ?? D.annotators,
    ...parseSize(values.size),
    stage1Fraction: number(values.stage1, 'stage1', D.stage1Fraction, (n) => n >= 0 && n <= 1),
    stage2Fraction: number(values.stage2, 'stage2', D.stage2Fraction, (n) => n >= 0 && n <= 1),
    stages: parseStages(values.stages),
    retrainEvery: nonNegativeInt(values['retrain-every'], 'retrain-every', D.retrainEvery),
    retrainSteps: parsePositiveInt(values['retrain-steps'], '--retrain-steps') ?? D.retrainSteps,
    retrainFullSteps: parsePositiveInt(values['full-steps'], '--full-steps') ?? D.retrainFullSteps,
    retrainWarmup: values['retrain-warmup'] === undefined ? D.retrainWarmup : nonNegativeInt(values['retrain-warmup'], 'retrain-warmup', 0),
    retrainLr: lr === undefined ? D.retrainLr : number(lr, 'retrain-lr', 0, (n) => n > 0 && n <= 1),
    retrainHardExamples: values['retrain-hard-examples'] === true,
    valEvery: nonNegativeInt(values['val-every'], 'val-every', D.valEvery),
    prefill: parseOverrides(values.prefill, 'prefill', D.prefill),
    autogen: { preset: parsePreset(values['autogen-preset']), overrides: parseOverrides(values.autogen, 'autogen', D.autogen.overrides) },
    autoPromoteMargin: margin === 'off' ? null : number(margin, 'auto-promote-margin', D.autoPromoteMargin, (n) => n >= 0 && n <= 1),
    targetIou: number(values['target-iou'], 'target-iou', D.targetIou, (n) => n > 0 && n <= 1),
    maxClicks: parsePositiveInt(values['max-clicks'], '--max-clicks') ?? D.maxClicks,
    touchUpIou: touchUp === 'off' ? null : number(touchUp, 'touch-up-iou', D.touchUpIou, (n) => n > 0 && n <= 1),
    minObjectArea: parsePositiveInt(values['min-area'], '--min-area') ?? D.minObjectArea,
    focusMaxArea: nonNegativeInt(values['focus-max-area'], 'focus-max-area', D.focusMaxArea),
    time: {
      secondsPerMask: number(values['seconds-per-mask'], 'seconds-per-mask', D.time.secondsPerMask),
      secondsPerClick: number(values['seconds-per-click'], 'seconds-per-click', D.time.secondsPerClick),
      secondsPerReview: number(values['seconds-per-review'], 'seconds-per-review', D.time.secondsPerReview),
      secondsPerStroke: number(values['seconds-per-stroke'], 'seconds-per-stroke', D.time.secondsPerStroke),
      secondsPerStrokePixel: number(values['seconds-per-stroke-pixel'], 'seconds-per-stroke-pixel', D.time.secondsPerStrokePixel),
    },
    ...(values.name ? { projectName: values.name } : {}),
    waitTimeoutMs: number(values.timeout, 'timeout', D.waitTimeoutMs / 60_000, (n) => n > 0) * 60_000,
  };
  return { options, workers: parsePositiveInt(values.workers, '--workers') ?? 1, json: values.json ?? false, ...(values.out ? { out: values.out } : {}), verbose: values.verbose ?? false };
}

async function writeReport(report: SimulationReport, io: CliIo, json: boolean, out: string | undefined): Promise<void> {
  if (out) await writeFile(resolve(io.cwd, out), `${JSON.stringify(report, null, 2)}\n`);
  io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : formatSimulationTable(report));
}

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'run the whole engine on synthetic images with known ground truth; print the per-stage table',
  usage: USAGE,
  async run(args, io) {
    const { options: parsed, workers, json, out, verbose } = parseSimulateArgs(args);
    try {
      validateSimulationOptions(parsed);
    } catch (error) {
      if (error instanceof AppError) throw new CliError(`${error.message}\nusage: ${USAGE}`, EXIT.usage);
      throw error;
    }
    const config = loadCliConfig();
    const modelDir = config.defaultModelDir;
    const options: SimulationOptions = { ...parsed, modelDir };
    const t0 = performance.now();
    const log = (line: string) => io.stderr(`[simulate ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

    const applied = await prepareInstallation(config);
    if (applied > 0) log(`database migrated (${applied} migrations applied)`);
    const runtime = createEngineRuntime(config, createLogger({ service: 'simulate' }, verbose ? 'info' : 'error'), { service: 'cli' });
    let pool: WorkerPool | null = null;
    try {
      log(`starting ${workers} worker process(es) on queue prefix "${config.QUEUE_PREFIX}"…`);
      // evaluate's NoC@85/90 stops at the simulated annotator's click budget instead of 20 clicks: the
      // promotion gate reads mIoU after 1, 3 and 5 clicks only, so its verdicts are the same, and an
      // evaluate run on the held-out set takes about half the time (most studio objects never reach 0.9)
      const evalNocMaxClicks = evaluateClickCap(options.maxClicks);
      log(`evaluate runs count NoC@85/90 up to ${evalNocMaxClicks} clicks (the annotators' budget; the gate reads mIoU@1/3/5)`);
      pool = await startWorkerProcesses(config, workers, { modelDir, evalNocMaxClicks, ...(verbose ? { echo: (line: string) => io.stderr(`${line}\n`) } : {}) });
      const report = await runSimulation(runtime.deps, options, { log, signal: pool.signal });
      await writeReport(report, io, json, out);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof SimulationFailure && error.partial && error.partial.rows.length > 0) {
        log('the simulation failed; what it measured before the failure:');
        await writeReport(error.partial, io, json, out);
      }
      throw toCliError(error, pool?.signal);
    } finally {
      await pool?.stop();
      await runtime.close();
    }
  },
};

function toCliError(error: unknown, workers: AbortSignal | undefined): unknown {
  if (workers?.aborted && workers.reason instanceof CliError) return workers.reason;
  if (error instanceof CliError) return error;
  if (error instanceof AppError || error instanceof SimulationError) return new CliError(error.message);
  if (isDatabaseUnavailableError(error)) return new CliError(`lost the connection to PostgreSQL: ${(error as Error).message}`);
  return error;
}
