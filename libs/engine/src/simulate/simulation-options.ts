// What a simulation runs: how many synthetic images, how they are split over the three stages,
// how the simulated annotator clicks and how long each click is assumed to take.
import { AppError, type RetrainMode } from '@dataengine/contracts';
import { SCENE_VARIANTS, type SceneVariant } from '@dataengine/synth';

export type SimulatedStage = 1 | 2 | 3;

/**
 * Modelled annotation time. The SAM paper reports time per mask, not per click; an annotator's
 * time per mask is modelled as a fixed cost (finding the object, checking and accepting the mask)
 * plus a cost per click (placing it and looking at the new mask) plus the brush/eraser touch-up:
 * a cost per corrected error region (a stroke: move there, pick the tool) and per pixel of stroke
 * length (a region is traced once along its length, half its perimeter; 0.02 s/px ≈ 50 px/s, a
 * careful stroke along an edge). The click part puts the built-in model's ~7 clicks per stage-1
 * mask near the paper's 34 s per mask at the start of the assisted-manual stage (§4); its masks
 * (~0.73 IoU) then need ~9 strokes (~22 s) to reach 0.97, a cost a better checkpoint lowers.
 */
export interface TimeModel {
  secondsPerMask: number;
  secondsPerClick: number;
  secondsPerStroke: number;
  secondsPerStrokePixel: number;
  /** Stage 2: looking at one pre-filled mask and keeping or deleting it (task time, not mask time). */
  secondsPerReview: number;
}

export const DEFAULT_TIME_MODEL: TimeModel = { secondsPerMask: 10, secondsPerClick: 3.5, secondsPerStroke: 1.5, secondsPerStrokePixel: 0.02, secondsPerReview: 2 };

export interface SimulationOptions {
  /** Synthetic images in all; split over the stages by the fractions below. */
  images: number;
  /** Scene family (libs/synth): 'classic' is what the built-in model was trained on; 'studio' it never saw. */
  scenes: SceneVariant;
  /**
   * Images of the project's held-out set, uploaded as `val` and annotated first (stage 1, round 0):
   * what evaluate judges every candidate on. They come on top of `images`.
   */
  valImages: number;
  /** Scenes never uploaded, with known ground truth: each round's checkpoint is scored on them. */
  heldOutScenes: number;
  seed: number;
  annotators: number;
  width: number;
  height: number;
  /** Share of the images annotated in stage 1 and stage 2; stage 3 gets the rest. */
  stage1Fraction: number;
  stage2Fraction: number;
  /** Which stages run (stage 2 and 3 need the prefill / autogen processors of the worker). */
  stages: readonly SimulatedStage[];
  /** Stage 1 retrains after every this many submitted images; 0 never retrains. */
  retrainEvery: number;
  retrainSteps: number;
  /** Steps of a full retrain's encoder phase (its refit phase adds the retrain run's default). */
  retrainFullSteps: number;
  /** Retrain mode (fast: frozen encoder, stored embeddings; full: the encoder too); null: the retrain run's default. */
  retrainMode: RetrainMode | null;
  /** Every this many retrains one is full (the others `retrainMode`); 0: never (contracts' retrainModeAt). */
  retrainFullEvery: number;
  /** Retrain warm-up steps and learning rate; null: the retrain run's defaults (contracts' retrainParamsSchema). */
  retrainWarmup: number | null;
  retrainLr: number | null;
  /** Fast retrains draw masks by how wrong the active checkpoint's one-click answer is (retrain run's hardExamples). */
  retrainHardExamples: boolean;
  /**
   * Every this many stage-1 images one is uploaded as `val`: never trained on, it is where evaluate
   * compares candidate and active checkpoint (the retrain's own seeded share is too small for a
   * handful of images). 0 leaves the split to the retrain.
   */
  valEvery: number;
  /** Evaluate promotes the candidate when its mIoU@1 beats the active checkpoint's by this much; null leaves it to ops. */
  autoPromoteMargin: number | null;
  /** Prefill run parameters (contracts' prefillParamsSchema: boxScoreThreshold, predIouThresh, …) over their defaults. */
  prefill: Record<string, number>;
  /** Autogen run: AMG preset and parameter overrides (camelCase, e.g. pointsPerSide). */
  autogen: { preset: 'sam-default' | 'sa1b'; overrides: Record<string, number> };
  /** The annotator stops clicking on an object once the mask reaches this IoU with the ground truth… */
  targetIou: number;
  /** …or after this many clicks. */
  maxClicks: number;
  /**
   * Then corrects the mask with brush and eraser until its IoU with the ground truth is at least
   * this (1: exactly the ground truth) and saves the corrected mask; null saves the model's mask.
   */
  touchUpIou: number | null;
  /** Ground-truth objects smaller than this (pixels) are too small to bother with. */
  minObjectArea: number;
  /**
   * Objects up to this many pixels are segmented in the tool's focus view: the annotator zooms to
   * the object (its box grown by its longer side each way, at least 128 px) and the clicks decode on
   * that region's own embedding (focusSegmenter); 0: always on the whole image.
   */
  focusMaxArea: number;
  time: TimeModel;
  /** Built-in bundle registered as the active checkpoint when none is active. */
  modelDir: string;
  /** Project name; default "sim-<timestamp>". */
  projectName?: string;
  /** Longest wait for one run or embedding before the simulation gives up. */
  waitTimeoutMs: number;
}

export const SIMULATION_DEFAULTS = {
  images: 60,
  scenes: 'classic',
  valImages: 8,
  heldOutScenes: 10,
  seed: 1,
  annotators: 2,
  // the size the built-in model was trained at (models/default/MODEL_CARD.md)
  width: 512,
  height: 384,
  stage1Fraction: 0.5,
  stage2Fraction: 0.25,
  stages: [1, 2, 3] as const,
  retrainEvery: 10,
  // a fast retrain (the retrain run's default mode) of 500 steps: on 30 images of a scene family the
  // built-in model never saw, +0.076 mIoU@1 on held-out scenes of it (bench/retrain.bench.ts)
  retrainSteps: 500,
  // a full retrain's encoder phase. On 30 studio scenes (bench:retrain --levels whole, refit 500) 150,
  // 300 and 500 full steps gave mIoU@1 0.526, 0.529 and 0.530 in 280, 369 and 457 s of trainer time;
  // in the loop (seed 1, the same machine) round 2's full retrain gave 0.497 on the unseen scenes in
  // 260 s at 150 steps and 0.500 in 573 s at 500 (trainer/README.md)
  retrainFullSteps: 150,
  retrainMode: null,
  // every 2nd retrain full (with its refit phase), the others fast: on studio scenes (seed 1) the loop
  // went +0.098 held-out mIoU@1 and −16 % clicks per mask in 15 min, against +0.074 and −9 % with
  // fast retrains only (a full retrain without the refit lost ground: trainer/README.md)
  retrainFullEvery: 2,
  retrainWarmup: null,
  // the retrain run's 3e-4 (at 8e-4 candidates drifted: a promoted one's IoU scores fell below stage 3's thresholds)
  retrainLr: null,
  retrainHardExamples: false,
  valEvery: 0,
  autoPromoteMargin: 0.01,
  prefill: {},
  // a 16×16 point grid instead of the preset's 32×32 keeps stage 3 of a simulation in minutes on a
  // CPU; the built-in model's predicted IoU and stability sit far below SAM's filters (0.88 / 0.95
  // keep no mask at all, see models/default/MODEL_CARD.md), so stage 3 filters at 0.25 / 0.5
  autogen: { preset: 'sam-default', overrides: { pointsPerSide: 16, predIouThresh: 0.25, stabilityScoreThresh: 0.5 } },
  targetIou: 0.85,
  maxClicks: 8,
  touchUpIou: 0.97,
  minObjectArea: 100,
  // objects up to 1500 px: the size where bench:clicks measured the zoom's gain (−18 % clicks with
  // a retrained checkpoint, trainer/README.md); larger objects do worse upscaled
  focusMaxArea: 1500,
  time: DEFAULT_TIME_MODEL,
  waitTimeoutMs: 30 * 60_000,
} satisfies Omit<SimulationOptions, 'modelDir'>;

/** How many images each stage gets: stage 1 at least one, the rest in order. */
export function stageImageCounts(options: Pick<SimulationOptions, 'images' | 'stage1Fraction' | 'stage2Fraction' | 'stages'>): Record<SimulatedStage, number> {
  const { images, stages } = options;
  const share = (fraction: number) => Math.round(images * fraction);
  let s1 = stages.includes(1) ? Math.max(1, share(options.stage1Fraction)) : 0;
  let s2 = stages.includes(2) ? share(options.stage2Fraction) : 0;
  if (!stages.includes(3)) {
    // the stages that run share every image
    if (stages.includes(2)) s2 = images - s1;
    else s1 = images;
  }
  s1 = Math.min(s1, images);
  s2 = Math.min(s2, images - s1);
  const s3 = stages.includes(3) ? images - s1 - s2 : 0;
  return { 1: s1, 2: s2, 3: s3 };
}

/** Checks the options; a bad one becomes an AppError saying which and what is allowed. */
export function validateSimulationOptions(options: Omit<SimulationOptions, 'modelDir'>): void {
  const bad = (message: string) => {
    throw new AppError('BAD_REQUEST', message);
  };
  const int = (value: number, min: number, name: string) => {
    if (!Number.isInteger(value) || value < min) bad(`${name} must be an integer ≥ ${min}, got ${value}`);
  };
  int(options.images, 1, 'images');
  int(options.annotators, 1, 'annotators');
  int(options.width, 64, 'width');
  int(options.height, 64, 'height');
  int(options.retrainEvery, 0, 'retrain-every');
  int(options.retrainSteps, 1, 'retrain-steps');
  int(options.retrainFullSteps, 1, 'full-steps');
  int(options.retrainFullEvery, 0, 'full-every');
  int(options.valImages, 0, 'val-images');
  int(options.heldOutScenes, 0, 'held-out-scenes');
  if (!SCENE_VARIANTS.includes(options.scenes)) bad(`scenes must be one of ${SCENE_VARIANTS.join(', ')}, got ${String(options.scenes)}`);
  if (options.retrainWarmup !== null) int(options.retrainWarmup, 0, 'retrain-warmup');
  if (options.retrainLr !== null && !(options.retrainLr > 0 && options.retrainLr <= 1)) bad(`retrain-lr must be in (0, 1], got ${options.retrainLr}`);
  int(options.valEvery, 0, 'val-every');
  int(options.maxClicks, 1, 'max-clicks');
  int(options.minObjectArea, 1, 'min-area');
  int(options.focusMaxArea, 0, 'focus-max-area');
  int(options.seed, 0, 'seed');
  if (options.width * options.height > 4096 * 4096) bad(`images of ${options.width}×${options.height} are too large for a simulation; use at most 4096×4096`);
  for (const [name, f] of [['stage1 fraction', options.stage1Fraction], ['stage2 fraction', options.stage2Fraction]] as const) {
    if (!(f >= 0 && f <= 1)) bad(`${name} must be between 0 and 1, got ${f}`);
  }
  if (options.stages.includes(3) && options.stage1Fraction + options.stage2Fraction > 1) bad('the stage fractions add up to more than 1; stage 3 would get no images');
  if (options.stages.length === 0) bad('choose at least one stage to simulate (1, 2 or 3)');
  if (!(options.targetIou > 0 && options.targetIou <= 1)) bad(`target IoU must be in (0, 1], got ${options.targetIou}`);
  if (options.touchUpIou !== null && !(options.touchUpIou > 0 && options.touchUpIou <= 1)) bad(`the touch-up IoU must be in (0, 1] (or off), got ${options.touchUpIou}`);
  if (options.autoPromoteMargin !== null && !(options.autoPromoteMargin >= 0 && options.autoPromoteMargin <= 1)) bad(`the auto-promote margin must be in [0, 1], got ${options.autoPromoteMargin}`);
  for (const [name, v] of Object.entries(options.time)) if (!(v >= 0 && Number.isFinite(v))) bad(`time model ${name} must be a number ≥ 0, got ${v}`);
  const counts = stageImageCounts(options);
  for (const stage of options.stages) {
    if (counts[stage] === 0) bad(`stage ${stage} gets no images with ${options.images} images and these fractions; add images or change the fractions`);
  }
}

/** Modelled seconds for one mask made with `clicks` clicks. */
export const modelledMaskSeconds = (time: TimeModel, clicks: number): number => time.secondsPerMask + time.secondsPerClick * clicks;
