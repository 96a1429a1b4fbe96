import type { ImageEmbedding, SamPrompt } from '../pipeline/prompt.types';
import type { SamPredictor } from '../pipeline/sam-predictor';
import type { Click, InteractiveSegmenter } from './click-simulation';

/**
 * The SAM pipeline as an InteractiveSegmenter, for click-simulation metrics (SAM paper §7.1 protocol):
 * all clicks so far as points (positive → label 1, negative → label 0; coordinates are the clicked
 * pixel's indices, as the trainer's evaluation feeds them), plus the previous prediction's low-res
 * logits as `mask_input` (has_mask_input = 1) from the second click on. The channel follows the
 * decoder rule of SAM-SPEC.md §1.4: one click (+ padding point) → the best of channels 1–3 by
 * predicted IoU; two or more clicks → channel 0.
 */
export function predictorSegmenter(predictor: SamPredictor, embedding: ImageEmbedding): InteractiveSegmenter<Float32Array> {
  return {
    async predict(clicks: readonly Click[], previousLowRes: Float32Array | null) {
      const prompt: SamPrompt = {
        points: clicks.map((c) => ({ x: c.x, y: c.y, label: c.positive ? 1 : 0 })),
        maskInput: previousLowRes,
      };
      const { masks } = await predictor.decode(embedding, prompt, { multimask: false });
      const best = masks[0]!;
      return { mask: best.mask, lowRes: best.lowResLogits, predictedIou: best.predictedIou };
    },
  };
}
