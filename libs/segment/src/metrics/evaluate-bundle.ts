import type { DetectedBox } from '../detector/detector-decode';
import type { RgbImage } from '../pipeline/image-resize';
import type { ImageEmbedding } from '../pipeline/prompt.types';
import type { SamPredictor } from '../pipeline/sam-predictor';
import type { BinaryMask } from '../rle/rle.types';
import { boxAp50, type ApDetection, type ApGroundTruth } from './box-ap';
import { evaluateInteractive, NOC_MAX_CLICKS } from './interactive-metrics';
import { calibrationBins, calibrationError, type CalibrationBin, type IouPair } from './iou-calibration';
import { maskIou } from './mask-iou';
import { predictorSegmenter } from './predictor-interactive-segmenter';

/** One ground-truth object of an evaluation image. */
export interface EvalObject {
  mask: BinaryMask;
  /** A whole object (root of the part tree): the detector's target, so counted for box AP. */
  whole: boolean;
}

/** One held-out image with its ground truth. */
export interface EvalScene {
  id: number | string;
  image: RgbImage;
  objects: readonly EvalObject[];
}

/** Objects smaller than this are not used as click targets (trainer `MIN_PROMPT_AREA`). */
export const EVAL_MIN_OBJECT_AREA = 16;
/** Detector score threshold for AP (low, so the precision/recall curve is complete; trainer eval uses 0.05). */
export const EVAL_DETECTOR_SCORE_THRESHOLD = 0.05;

export interface EvaluateBundleOptions {
  /** mIoU is reported after each k clicks (default 1, 3, 5). */
  ks?: readonly number[];
  /** NoC cap (default 20, SAM / RITM protocol). */
  maxClicks?: number;
  minObjectArea?: number;
  /** The bundle's detector (e.g. `detectBoxes` bound to a backend); box AP@0.5 is computed when given. */
  detect?: (embedding: ImageEmbedding) => Promise<DetectedBox[]>;
  /** Also prompt each object with its tight box alone (the prefill path) for `boxMiou` (default true). */
  boxPrompts?: boolean;
  /** Progress after each image. */
  onScene?: (done: number, sceneId: number | string) => void;
  signal?: AbortSignal;
}

export interface BundleEvaluation {
  images: number;
  /** Objects used as click targets. */
  objects: number;
  miouAt: Record<number, number>;
  noc85: number;
  noc90: number;
  /** COCO-style box AP at IoU 0.5 over the whole objects; null without a detector. */
  boxAp50: number | null;
  detections: number;
  wholeObjects: number;
  /** mIoU of the mask a box prompt alone returns (the object's tight box, single-mask output: the prefill path); null when not asked. */
  boxMiou: number | null;
  /**
   * Predicted vs true IoU of the mask the one-click prompt returns (the one the tool shows first),
   * binned by predicted IoU (iou-calibration.ts), and their mean absolute difference.
   */
  calibration: CalibrationBin[];
  calibrationError: number;
  /** Mean wall time per image (embedding + clicks + boxes + detector), ms. */
  msPerImage: number;
}

/**
 * Evaluates a checkpoint on held-out images: interactive mIoU after k simulated clicks, NoC@85/@90
 * (clicks simulated as the SAM paper does: `simulateClicks`, low-res mask fed back), the
 * calibration of the one-click mask's predicted IoU, the mIoU of a box prompt alone (the prefill
 * path), and, with a detector, box AP@0.5 against the whole objects' boxes. Scenes are consumed one at a time (an
 * async iterable keeps memory flat). Means are over all objects of all images.
 */
export async function evaluateBundle(
  predictor: SamPredictor,
  scenes: Iterable<EvalScene> | AsyncIterable<EvalScene>,
  options: EvaluateBundleOptions = {},
): Promise<BundleEvaluation> {
  const ks = options.ks ?? [1, 3, 5];
  const minArea = options.minObjectArea ?? EVAL_MIN_OBJECT_AREA;
  const sums: Record<number, number> = Object.fromEntries(ks.map((k) => [k, 0]));
  let objects = 0;
  let noc85 = 0;
  let noc90 = 0;
  let images = 0;
  const detections: ApDetection[] = [];
  const groundTruth: ApGroundTruth[] = [];
  const firstClick: IouPair[] = [];
  const boxPrompts = options.boxPrompts ?? true;
  let boxIouSum = 0;
  let boxed = 0;
  const start = performance.now();
  for await (const scene of scenes) {
    options.signal?.throwIfAborted();
    const embedding = await predictor.embedImage(scene.image);
    const targets = scene.objects.filter((o) => countOnes(o.mask) >= minArea).map((o) => o.mask);
    if (targets.length > 0) {
      const r = await evaluateInteractive(predictorSegmenter(predictor, embedding), targets, ks, options.maxClicks ?? NOC_MAX_CLICKS);
      for (const k of ks) sums[k]! += r.miouAt[k]! * r.objects;
      noc85 += r.noc85 * r.objects;
      noc90 += r.noc90 * r.objects;
      objects += r.objects;
      firstClick.push(...r.firstClick);
      if (boxPrompts) {
        for (const gt of targets) {
          options.signal?.throwIfAborted();
          const { masks } = await predictor.decode(embedding, { box: exclusiveBox(gt)! }, { multimask: false });
          boxIouSum += maskIou(gt, masks[0]!.mask);
          boxed++;
        }
      }
    }
    if (options.detect) {
      for (const d of await options.detect(embedding)) detections.push({ imageId: images, box: d.box, score: d.score });
      for (const o of scene.objects) {
        const box = exclusiveBox(o.mask);
        if (o.whole && box) groundTruth.push({ imageId: images, box });
      }
    }
    images++;
    options.onScene?.(images, scene.id);
  }
  const miouAt: Record<number, number> = {};
  for (const k of ks) miouAt[k] = objects > 0 ? sums[k]! / objects : NaN;
  return {
    images,
    objects,
    miouAt,
    noc85: objects > 0 ? noc85 / objects : NaN,
    noc90: objects > 0 ? noc90 / objects : NaN,
    boxAp50: options.detect ? boxAp50(detections, groundTruth) : null,
    detections: detections.length,
    wholeObjects: groundTruth.length,
    boxMiou: boxPrompts ? (boxed > 0 ? boxIouSum / boxed : NaN) : null,
    calibration: calibrationBins(firstClick),
    calibrationError: calibrationError(firstClick),
    msPerImage: images > 0 ? (performance.now() - start) / images : NaN,
  };
}

function countOnes(mask: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) n += mask.data[i]!;
  return n;
}

/** XYXY box with exclusive ends (`[x0, y0, x1 + 1, y1 + 1]` of the inclusive extents), as the trainer's `whole_boxes`; null when empty. */
export function exclusiveBox(mask: BinaryMask): [number, number, number, number] | null {
  const { width, height, data } = mask;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] !== 1) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}
