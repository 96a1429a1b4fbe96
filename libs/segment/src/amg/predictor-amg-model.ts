import type { ImageEmbedding } from '../pipeline/prompt.types';
import type { SamPredictor } from '../pipeline/sam-predictor';
import { InferenceError } from '../pipeline/segment-errors';
import { AMG_MASKS_PER_POINT, type AmgCropContext, type AmgModel, type MultimaskPrediction, type RgbImage } from './amg-model';

/** Time spent inside the two model calls, for benchmarks and logs (milliseconds, cumulative). */
export interface PredictorAmgTimings {
  embedMs: number;
  /** Awaiting `decodeLogits` (feeds + runtime); the copy of channels 1–3 is not included. */
  decodeMs: number;
  decoderRuns: number;
}

/**
 * The AmgModel over the real ONNX pipeline (SAM-SPEC.md §3.2 "Per crop"), isomorphic: the browser
 * worker, the Node workers and the CLI share it through their own `SamPredictor` backend.
 * - `embedCrop` runs the encoder on the crop the generator sliced (long side → 1024 inside the
 *   predictor), so the embedding's image size — and the decoder's `orig_im_size` — is the crop size;
 * - `predictMultimask` decodes each point as its own prompt (label 1 + the padding point, step 3a):
 *   one decoder run per point (the official export has batch 1), channels 1–3 of `masks` and
 *   `iou_predictions` (multimask output, §1.3).
 * Memory: it asks the generator for one point per call (`maxPointsPerCall = 1`, which changes no
 * result, §3.1) and returns views onto that run's output, so one decoder output (4 × crop size
 * floats) is alive at a time, whatever `points_per_batch` is. Called with several points (another
 * generator), it copies them into one reused buffer, which the generator bounds.
 */
export class PredictorAmgModel implements AmgModel<ImageEmbedding> {
  readonly timings: PredictorAmgTimings = { embedMs: 0, decodeMs: 0, decoderRuns: 0 };
  /** The official decoder has batch 1: one point per call, results are views (no copies). */
  readonly maxPointsPerCall = 1;
  private buffer = new Float32Array(0);

  constructor(private readonly predictor: SamPredictor) {}

  async embedCrop(crop: RgbImage, context: AmgCropContext): Promise<ImageEmbedding> {
    const [x0, y0, x1, y1] = context.cropBox;
    if (crop.width !== x1 - x0 || crop.height !== y1 - y0) {
      throw new RangeError(`PredictorAmgModel: crop is ${crop.width}x${crop.height} but its crop box [${context.cropBox.join(', ')}] is ${x1 - x0}x${y1 - y0}`);
    }
    const t = performance.now();
    const embedding = await this.predictor.embedImage(crop);
    this.timings.embedMs += performance.now() - t;
    return embedding;
  }

  async predictMultimask(handle: ImageEmbedding, points: ReadonlyArray<readonly [number, number]>): Promise<MultimaskPrediction> {
    if (await this.predictor.usesInteractiveDecoderFor(handle)) return this.predictLowRes(handle, points);
    const height = handle.imageHeight;
    const width = handle.imageWidth;
    const plane = height * width;
    if (points.length === 1) {
      const { masks, iou } = await this.decodePoint(handle, points[0]!);
      return { count: 1, height, width, logits: masks.subarray(plane, (AMG_MASKS_PER_POINT + 1) * plane), iou: iou.slice(1, AMG_MASKS_PER_POINT + 1) };
    }
    const size = points.length * AMG_MASKS_PER_POINT * plane;
    // reused between calls: the generator is done with one result before it asks for the next
    if (this.buffer.length < size) this.buffer = new Float32Array(size);
    const logits = this.buffer.subarray(0, size);
    const iou = new Float32Array(points.length * AMG_MASKS_PER_POINT);
    for (let p = 0; p < points.length; p++) {
      const out = await this.decodePoint(handle, points[p]!);
      // channels 1..3 are contiguous in the [1, 4, H, W] output: one copy
      logits.set(out.masks.subarray(plane, (AMG_MASKS_PER_POINT + 1) * plane), p * AMG_MASKS_PER_POINT * plane);
      iou.set(out.iou.subarray(1, AMG_MASKS_PER_POINT + 1), p * AMG_MASKS_PER_POINT);
    }
    return { count: points.length, height, width, logits, iou };
  }

  /**
   * Through the interactive decoder: channels 1–3 of `low_res_masks` per point (the generator
   * upscales only the masks that pass its predicted-IoU filter) — no 4-channel full-resolution
   * output per point.
   */
  private async predictLowRes(handle: ImageEmbedding, points: ReadonlyArray<readonly [number, number]>): Promise<MultimaskPrediction> {
    const L = this.predictor.config.lowResSize;
    const plane = L * L;
    const data = new Float32Array(points.length * AMG_MASKS_PER_POINT * plane);
    const iou = new Float32Array(points.length * AMG_MASKS_PER_POINT);
    for (const [p, [x, y]] of points.entries()) {
      const t = performance.now();
      const out = await this.predictor.decodeLowRes(handle, { points: [{ x, y, label: 1 }] });
      this.timings.decodeMs += performance.now() - t;
      this.timings.decoderRuns++;
      if (out.channels !== AMG_MASKS_PER_POINT + 1) {
        throw new InferenceError(`automatic mask generation needs the 4-mask decoder export (channels 1–3 are the ambiguity masks); this decoder returns ${out.channels} mask channel(s)`);
      }
      data.set(out.lowRes.subarray(plane, (AMG_MASKS_PER_POINT + 1) * plane), p * AMG_MASKS_PER_POINT * plane);
      iou.set(out.iou.subarray(1, AMG_MASKS_PER_POINT + 1), p * AMG_MASKS_PER_POINT);
    }
    return { count: points.length, height: handle.imageHeight, width: handle.imageWidth, iou, lowRes: { data, size: L, imageSize: this.predictor.config.imageSize } };
  }

  /** One point prompt → the 4-channel `masks` logits at the embedding's image size and the 4 IoUs. */
  private async decodePoint(handle: ImageEmbedding, [x, y]: readonly [number, number]): Promise<{ masks: Float32Array; iou: Float32Array }> {
    const t = performance.now();
    const { outputs } = await this.predictor.decodeLogits(handle, { points: [{ x, y, label: 1 }] });
    this.timings.decodeMs += performance.now() - t;
    this.timings.decoderRuns++;
    const { masks, iouPredictions } = outputs;
    const [b, c, h, w] = masks.dims;
    if (masks.dims.length !== 4 || b !== 1 || h !== handle.imageHeight || w !== handle.imageWidth) {
      throw new InferenceError(`decoder output "masks" has shape [${masks.dims.join(', ')}], expected [1, 4, ${handle.imageHeight}, ${handle.imageWidth}]`);
    }
    if (c !== AMG_MASKS_PER_POINT + 1 || iouPredictions.data.length !== c) {
      throw new InferenceError(`automatic mask generation needs the 4-mask decoder export (channels 1–3 are the ambiguity masks); this decoder returns ${String(c)} mask channel(s) and ${iouPredictions.data.length} IoU value(s)`);
    }
    return { masks: masks.data, iou: iouPredictions.data };
  }

  /** The embedding is an ordinary buffer: dropping the reference frees it. Also trims the logit buffer. */
  release(): void {
    this.buffer = new Float32Array(0);
  }
}
