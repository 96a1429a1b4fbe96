import type { BinaryMask } from '../rle/rle.types';
import { buildDecoderFeeds } from './decoder-feeds';
import type { RgbImage } from './image-resize';
import type { InferenceBackend } from './inference-backend.types';
import { summarizeLogits } from './mask-postprocess';
import { maskChannel, selectMaskChannels, type DecoderOutputs } from './output-select';
import { preprocessImage, SAM_PREPROCESS, type PreprocessConfig } from './preprocess-image';
import type { ImageEmbedding, SamPrompt } from './prompt.types';
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

/** Image → embedding → prompt → masks, over any InferenceBackend (SAM-SPEC.md §1–2). */
export class SamPredictor {
  constructor(
    private readonly backend: InferenceBackend,
    readonly config: SamPipelineConfig = SAM_PIPELINE,
  ) {}

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
    const expected = [1, ...this.config.embeddingShape];
    if (!sameDims(embedding.tensor.dims, expected)) {
      throw new InferenceError(`image embedding has shape [${embedding.tensor.dims.join(', ')}], this model expects [${expected.join(', ')}]`);
    }
    const geometry = resizeLongestSide(embedding.imageHeight, embedding.imageWidth, this.config.imageSize);
    const { feeds, numPoints } = buildDecoderFeeds(embedding.tensor, prompt, geometry, this.config.lowResSize);
    const outputs = decoderOutputs(await this.backend.run('decoder', feeds, DECODER_OUTPUT_NAMES));
    return { outputs, numPoints };
  }

  /** One object from one prompt: the §1.4 channel choice (or the 1–3 candidates), binarised `> 0`, scored. */
  async decode(embedding: ImageEmbedding, prompt: SamPrompt, options: DecodeOptions = {}): Promise<DecodeResult> {
    const { outputs: out, numPoints } = await this.decodeLogits(embedding, prompt);
    const channels = selectMaskChannels(out.iouPredictions.data, numPoints, options.multimask ?? false);
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
