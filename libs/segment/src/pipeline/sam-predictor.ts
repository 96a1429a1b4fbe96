import type { BinaryMask } from '../rle/rle.types';
import { buildDecoderFeeds } from './decoder-feeds';
import type { RgbImage } from './image-resize';
import type { FloatTensor, InferenceBackend, TensorFeeds } from './inference-backend.types';
import { summarizeLowResChannel } from './low-res-mask';
import { summarizeLogits } from './mask-postprocess';
import { maskChannel, selectMaskChannels, type DecoderOutputs, type SingleMaskRule } from './output-select';
import { preprocessImage, SAM_PREPROCESS, type PreprocessConfig } from './preprocess-image';
import type { ImageEmbedding, SamPrompt } from './prompt.types';
import { upscaleLowResLogits } from './mask-upscale';
import { resizeLongestSide } from './resize-geometry';
import { DECODER_OUTPUT_NAMES, SAM_EMBEDDING_SHAPE, SAM_ENCODER_INPUT_NAME, SAM_ENCODER_OUTPUT_NAME, SAM_LOW_RES_SIZE } from './sam-constants';
import { InferenceError } from './segment-errors';

/** What the pipeline needs to know about a bundle (derived from its manifest). */
export interface SamPipelineConfig extends PreprocessConfig {
  embeddingShape: readonly [number, number, number];
  lowResSize: number;
  encoderInputName: string;
  encoderOutputName: string;
}

export const SAM_PIPELINE: SamPipelineConfig = {
  ...SAM_PREPROCESS,
  embeddingShape: SAM_EMBEDDING_SHAPE,
  lowResSize: SAM_LOW_RES_SIZE,
  encoderInputName: SAM_ENCODER_INPUT_NAME,
  encoderOutputName: SAM_ENCODER_OUTPUT_NAME,
};

export interface DecodeOptions {
  /** Return the three ambiguity candidates (channels 1–3) instead of the single-mask choice. */
  multimask?: boolean;
  /** Without `multimask`, which one mask (`selectMaskChannels`): the ONNX export's rule (default) or channel 0 like the PyTorch predictor. */
  singleMaskRule?: SingleMaskRule;
  /** Keep the full-resolution logits on each mask (a view into the decoder output). */
  returnLogits?: boolean;
}

export interface PredictedMask {
  /** Decoder channel (0 = single/multi-prompt token, 1–3 = ambiguity tokens). */
  channel: number;
  /** Row-major `logit > 0` at the original image size. */
  mask: BinaryMask;
  area: number;
  predictedIou: number;
  /** §3.3 on the full-resolution logits (offset 1.0). */
  stabilityScore: number;
  /** Copy of the `low_res_masks` channel: pass as `prompt.maskInput` to refine. */
  lowResLogits: Float32Array;
  logits?: Float32Array;
}

export interface DecodeResult {
  masks: PredictedMask[];
  /** `point_coords.shape[1]` including padding / box corners. */
  numPoints: number;
}

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export interface PredictorOptions {
  /**
   * `decode` through the interactive decoder graphs derived from the bundle's decoder (default):
   * the embedding-only part once per image, low-res outputs only, the shown channel upscaled here.
   * Same masks as the contract decoder (to float32 rounding), a fraction of the time. `false`: the
   * contract decoder for everything.
   */
  interactive?: boolean;
  /** Where the one-time notice goes when the interactive decoder is unusable (default: console.warn). */
  log?: (line: string) => void;
}

/** The one line logged when a predictor falls back to the contract decoder (`reason`: why). */
export function contractDecoderFallbackLine(reason: string): string {
  return `segment: ${reason.split('\n')[0]}; using the contract decoder (decoder.onnx run as-is, slower)`;
}

/** Image → embedding → prompt → masks, over any InferenceBackend (SAM-SPEC.md §1–2). */
export class SamPredictor {
  /** Prelude outputs per embedding tensor (computed on its first decode). */
  private readonly preludes = new WeakMap<FloatTensor, Promise<Record<string, FloatTensor>>>();
  private interactive: boolean;
  /** Settles once the first prelude run has decided between the interactive and the contract decoder. */
  private decided: Promise<void> | null = null;
  private readonly log: (line: string) => void;
  /** Why the interactive decoder is off for this bundle (it could not be derived or loaded), or null. */
  interactiveProblem: string | null = null;

  constructor(
    private readonly backend: InferenceBackend,
    readonly config: SamPipelineConfig = SAM_PIPELINE,
    options: PredictorOptions = {},
  ) {
    this.interactive = options.interactive ?? true;
    this.log = options.log ?? ((line) => console.warn(line));
  }

  async embedImage(image: RgbImage): Promise<ImageEmbedding> {
    const { tensor } = preprocessImage(image, this.config);
    const out = await this.backend.run('encoder', { [this.config.encoderInputName]: tensor }, [this.config.encoderOutputName]);
    const embedding = out[this.config.encoderOutputName];
    const expected = [1, ...this.config.embeddingShape];
    if (!embedding || !sameDims(embedding.dims, expected)) {
      throw new InferenceError(`encoder output "${this.config.encoderOutputName}" has shape [${embedding?.dims.join(', ') ?? 'missing'}], expected [${expected.join(', ')}]`);
    }
    return { tensor: embedding, imageHeight: image.height, imageWidth: image.width };
  }

  /**
   * The decoder call without post-processing: checks, feeds (§1.2), run, and the three raw outputs
   * (views onto the runtime's buffers). For callers that need every channel's logits (AMG).
   */
  async decodeLogits(embedding: ImageEmbedding, prompt: SamPrompt): Promise<{ outputs: DecoderOutputs; numPoints: number }> {
    this.checkEmbedding(embedding);
    const geometry = resizeLongestSide(embedding.imageHeight, embedding.imageWidth, this.config.imageSize);
    const { feeds, numPoints } = buildDecoderFeeds(embedding.tensor, prompt, geometry, this.config.lowResSize);
    const outputs = decoderOutputs(await this.backend.run('decoder', feeds, DECODER_OUTPUT_NAMES));
    return { outputs, numPoints };
  }

  /**
   * Loads the decoder sessions the click loop uses (the first run of a session is slow) with one
   * throw-away decode without and one with a mask prompt on a zero embedding (which also makes the
   * interactive-or-contract decision of `usesInteractiveDecoderFor` before the first click).
   */
  async warmUp(): Promise<void> {
    const [c, h, w] = this.config.embeddingShape;
    const tensor = { data: new Float32Array(c * h * w), dims: [1, c, h, w] };
    const embedding: ImageEmbedding = { tensor, imageHeight: 64, imageWidth: 64 };
    const click = { points: [{ x: 32, y: 32, label: 1 as const }] };
    const first = await this.decode(embedding, click);
    await this.decode(embedding, { ...click, maskInput: first.masks[0]!.lowResLogits });
  }

  /**
   * Whether `decode` and `decodeLowRes` go through the interactive decoder. Decided once per
   * predictor by the first prelude run (on `embedding`): when the interactive graphs cannot be
   * derived from the bundle's decoder or run, the predictor switches to the contract decoder for
   * good, `interactiveProblem` says why and one line goes to the log — every caller (browser worker,
   * CLI, Node workers) gets the same fallback instead of an error.
   */
  async usesInteractiveDecoderFor(embedding: ImageEmbedding): Promise<boolean> {
    if (!this.interactive) return false;
    this.decided ??= this.runPrelude(embedding).then(
      () => undefined,
      (error: unknown) => {
        this.interactive = false;
        this.interactiveProblem = error instanceof Error ? error.message : String(error);
        this.log(contractDecoderFallbackLine(this.interactiveProblem));
      },
    );
    await this.decided;
    return this.interactive;
  }

  /** The embedding-only tensors the interactive decoder reads, once per embedding ({} on the contract decoder). */
  async prelude(embedding: ImageEmbedding): Promise<Record<string, FloatTensor>> {
    this.checkEmbedding(embedding);
    return (await this.usesInteractiveDecoderFor(embedding)) ? this.runPrelude(embedding) : {};
  }

  private runPrelude(embedding: ImageEmbedding): Promise<Record<string, FloatTensor>> {
    let pending = this.preludes.get(embedding.tensor);
    if (!pending) {
      pending = this.backend.run('decoder.prelude', { image_embeddings: embedding.tensor });
      pending.catch(() => this.preludes.delete(embedding.tensor));
      this.preludes.set(embedding.tensor, pending);
    }
    return pending;
  }

  /** One object from one prompt: the §1.4 channel choice (or the 1–3 candidates), binarised `> 0`, scored. */
  async decode(embedding: ImageEmbedding, prompt: SamPrompt, options: DecodeOptions = {}): Promise<DecodeResult> {
    this.checkEmbedding(embedding);
    if (await this.usesInteractiveDecoderFor(embedding)) return this.decodeInteractive(embedding, prompt, options);
    const { outputs: out, numPoints } = await this.decodeLogits(embedding, prompt);
    const channels = selectMaskChannels(out.iouPredictions.data, numPoints, options.multimask ?? false, options.singleMaskRule);
    const size = { height: embedding.imageHeight, width: embedding.imageWidth, lowResSize: this.config.lowResSize };
    const masks = channels.map((c): PredictedMask => {
      const ch = maskChannel(out, c, size);
      const { mask, area, stabilityScore } = summarizeLogits(ch.logits, ch.height, ch.width);
      const result: PredictedMask = { channel: c, mask, area, predictedIou: ch.predictedIou, stabilityScore, lowResLogits: ch.lowResLogits.slice() };
      if (options.returnLogits) result.logits = ch.logits;
      return result;
    });
    return { masks, numPoints };
  }

  /**
   * The raw `iou_predictions` and `low_res_masks` (every channel, `[1, C, L, L]`) for one prompt,
   * without upscaling. For callers that upscale what they keep (`decode`, automatic mask
   * generation). Through the interactive decoder; from the contract decoder's run after a fallback.
   */
  async decodeLowRes(embedding: ImageEmbedding, prompt: SamPrompt): Promise<{ iou: Float32Array; lowRes: Float32Array; channels: number; numPoints: number }> {
    this.checkEmbedding(embedding);
    const L = this.config.lowResSize;
    let raw: Record<string, FloatTensor>;
    let numPoints: number;
    if (await this.usesInteractiveDecoderFor(embedding)) {
      const geometry = resizeLongestSide(embedding.imageHeight, embedding.imageWidth, this.config.imageSize);
      const built = buildDecoderFeeds(embedding.tensor, prompt, geometry, L);
      numPoints = built.numPoints;
      const { feeds } = built;
      const prelude = await this.runPrelude(embedding);
      const hasMask = prompt.maskInput !== undefined && prompt.maskInput !== null;
      const runFeeds: TensorFeeds = { point_coords: feeds.point_coords, point_labels: feeds.point_labels, ...prelude, ...(hasMask ? { mask_input: feeds.mask_input, has_mask_input: feeds.has_mask_input } : {}) };
      raw = await this.backend.run(hasMask ? 'decoder.prompt' : 'decoder.prompt-no-mask', runFeeds, ['iou_predictions', 'low_res_masks']);
    } else {
      const contract = await this.decodeLogits(embedding, prompt);
      numPoints = contract.numPoints;
      raw = { iou_predictions: contract.outputs.iouPredictions, low_res_masks: contract.outputs.lowResMasks };
    }
    const iou = raw['iou_predictions'];
    const lowRes = raw['low_res_masks'];
    const C = iou?.data.length ?? 0;
    if (!iou || !lowRes || lowRes.dims.length !== 4 || lowRes.dims[1] !== C || lowRes.dims[2] !== L || lowRes.dims[3] !== L) {
      throw new InferenceError(`${this.interactive ? 'interactive' : 'contract'} decoder returned ${lowRes ? `low_res_masks [${lowRes.dims.join(', ')}]` : 'no low_res_masks'} and ${C} IoU predictions, expected [1, C, ${L}, ${L}] and C`);
    }
    return { iou: iou.data, lowRes: lowRes.data, channels: C, numPoints };
  }

  private async decodeInteractive(embedding: ImageEmbedding, prompt: SamPrompt, options: DecodeOptions): Promise<DecodeResult> {
    const { imageHeight: H, imageWidth: W } = embedding;
    const L = this.config.lowResSize;
    const { iou, lowRes, numPoints } = await this.decodeLowRes(embedding, prompt);
    const channels = selectMaskChannels(iou, numPoints, options.multimask ?? false, options.singleMaskRule);
    const masks = channels.map((c): PredictedMask => {
      const lowResLogits = lowRes.slice(c * L * L, (c + 1) * L * L);
      const { mask, area, stabilityScore } = summarizeLowResChannel(lowResLogits, L, H, W, this.config.imageSize);
      const result: PredictedMask = { channel: c, mask, area, predictedIou: iou[c]!, stabilityScore, lowResLogits };
      if (options.returnLogits) result.logits = upscaleLowResLogits(lowResLogits, L, H, W, this.config.imageSize);
      return result;
    });
    return { masks, numPoints };
  }

  /**
   * Whether `decode` goes through the interactive decoder (false: the contract decoder). Before the
   * first decode it says whether the interactive decoder will be tried (`usesInteractiveDecoderFor`
   * decides).
   */
  get usesInteractiveDecoder(): boolean {
    return this.interactive;
  }

  private checkEmbedding(embedding: ImageEmbedding): void {
    const expected = [1, ...this.config.embeddingShape];
    if (!sameDims(embedding.tensor.dims, expected)) {
      throw new InferenceError(`image embedding has shape [${embedding.tensor.dims.join(', ')}], this model expects [${expected.join(', ')}]`);
    }
  }
}

/** Picks the three official outputs from a run result, failing clearly when one is missing. */
export function decoderOutputs(raw: Record<string, { data: Float32Array; dims: readonly number[] }>): DecoderOutputs {
  const [m, i, l] = DECODER_OUTPUT_NAMES;
  const masks = raw[m];
  const iouPredictions = raw[i];
  const lowResMasks = raw[l];
  if (!masks || !iouPredictions || !lowResMasks) {
    throw new InferenceError(`decoder did not return ${DECODER_OUTPUT_NAMES.filter((n) => !raw[n]).join(', ')} (got ${Object.keys(raw).join(', ')})`);
  }
  return { masks, iouPredictions, lowResMasks };
}
