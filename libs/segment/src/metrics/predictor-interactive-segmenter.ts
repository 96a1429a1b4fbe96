import { focusSuits, pasteMask, promptsInside, regionAtFullSize, touchesRegionEdge, type FocusRegion } from '../pipeline/focus-region';
import type { ImageEmbedding, SamPrompt } from '../pipeline/prompt.types';
import type { SamPredictor } from '../pipeline/sam-predictor';
import type { Click, InteractiveSegmenter } from './click-simulation';
import { maskArea } from './mask-iou';

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

/**
 * The annotator tool's focus view as an InteractiveSegmenter in the image's frame, with the tool's
 * rules: the first click is decoded on the whole image, and when that mask is small (focusSuits)
 * and the click lies in `region`, the session moves to the region — clicks decode on `regional`
 * (the region's own embedding) and the mask is pasted back into the image. A click outside the
 * region or a mask that runs into one of its inner edges moves the session to the whole image for
 * good (every click decoded again there, without the region's logits). `onWholeImage()` says
 * where the session ended.
 */
export function focusSegmenter(
  predictor: SamPredictor,
  whole: ImageEmbedding,
  region: FocusRegion,
  regional: ImageEmbedding,
  options: { maxFrameArea?: number } = {},
): InteractiveSegmenter<Float32Array> & { onWholeImage(): boolean } {
  const wholeModel = predictorSegmenter(predictor, whole);
  const regionModel = predictorSegmenter(predictor, regional);
  const [width, height] = [whole.imageWidth, whole.imageHeight];
  const image = { width, height, sx: 1, sy: 1, x0: 0, y0: 0 };
  let where: 'first' | 'region' | 'whole' = 'first';
  return {
    onWholeImage: () => where === 'whole',
    async predict(clicks: readonly Click[], previousLowRes: Float32Array | null) {
      if (where === 'first') {
        const out = await wholeModel.predict(clicks, previousLowRes);
        const small = focusSuits(maskArea(out.mask), width, height, options.maxFrameArea);
        where = small && promptsInside(region, clicks, null) ? 'region' : 'whole';
        if (where === 'whole') return out;
      }
      if (where === 'region' && promptsInside(region, clicks, null)) {
        const out = await regionModel.predict(
          clicks.map((c) => ({ ...c, x: c.x - region.x0, y: c.y - region.y0 })),
          previousLowRes,
        );
        if (!touchesRegionEdge(out.mask, region, width, height)) return { ...out, mask: pasteMask(out.mask, regionAtFullSize(region), image).mask };
      }
      const moving = where === 'region';
      where = 'whole';
      return wholeModel.predict(clicks, moving ? null : previousLowRes);
    },
  };
}
