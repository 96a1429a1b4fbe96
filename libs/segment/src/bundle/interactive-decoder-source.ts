import type { InteractiveDecoderRole } from '../pipeline/inference-backend.types';
import { InferenceError } from '../pipeline/segment-errors';
import { interactiveDecoderModels, type InteractiveDecoderModels } from './low-res-decoder';

/**
 * The interactive decoder graphs of one bundle, derived once from its decoder bytes on first use
 * (both runtimes' backends hold one). A decoder that cannot be split fails with an InferenceError
 * naming the reason; the contract decoder stays usable (SamPredictor falls back to it, logging once).
 */
export class InteractiveDecoderSource {
  private derived: Promise<InteractiveDecoderModels> | null = null;

  constructor(private readonly decoderBytes: () => Promise<Uint8Array>) {}

  async model(role: InteractiveDecoderRole): Promise<Uint8Array> {
    this.derived ??= this.decoderBytes().then((bytes) => {
      try {
        return interactiveDecoderModels(bytes);
      } catch (error) {
        throw new InferenceError(`the interactive decoder could not be derived from decoder.onnx: ${(error as Error).message}`);
      }
    });
    const models = await this.derived;
    return role === 'decoder.prelude' ? models.prelude : role === 'decoder.prompt' ? models.prompt : models.promptNoMask;
  }
}
