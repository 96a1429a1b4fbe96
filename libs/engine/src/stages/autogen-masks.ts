// Stage 3's model work for one image: SamAutomaticMaskGenerator over the checkpoint's ONNX pipeline
// (PredictorAmgModel keeps one decoder output alive at a time; every kept mask is an RLE), then the
// masks that repeat an existing manual or prefill mask are dropped.
import {
  PredictorAmgModel,
  rleIou,
  SamAutomaticMaskGenerator,
  toUncompressedRle,
  type AmgOptions,
  type AmgRecord,
  type AmgRunStats,
  type CompressedRle,
  type RgbImage,
  type UncompressedRle,
} from '@dataengine/segment';
import type { OpenBundle } from '@dataengine/segment/node';
import type { MachineMask } from './stage-masks';

/** AMG records with COCO RLE segmentations, in the generator's NMS order, and the generator's counts (what each filter dropped). */
export async function generateAutoMasks(bundle: OpenBundle, image: RgbImage, options: AmgOptions, signal?: AbortSignal): Promise<{ masks: MachineMask[]; stats: AmgRunStats }> {
  const generator = new SamAutomaticMaskGenerator(new PredictorAmgModel(bundle.predictor), { ...options, outputMode: 'coco_rle' });
  const result = await generator.generateWithStats(image, signal ? { signal } : {});
  const records = result.records as AmgRecord<CompressedRle>[];
  const masks = records.map((r) => ({
    segmentation: r.segmentation,
    predictedIou: r.predicted_iou,
    stabilityScore: r.stability_score,
    pointCoords: r.point_coords,
    cropBox: r.crop_box,
  }));
  return { masks, stats: result.stats };
}

/**
 * Drops generated masks whose mask IoU with an existing mask is above `iouThresh` (the AMG box NMS
 * threshold: what AMG itself would treat as the same object). Masks of another size never match.
 */
export function dropDuplicateMasks(generated: readonly MachineMask[], existing: readonly CompressedRle[], iouThresh: number): MachineMask[] {
  if (existing.length === 0) return [...generated];
  const known: UncompressedRle[] = existing.map((e) => toUncompressedRle(e));
  const sameSize = (a: { size: readonly number[] }, b: { size: readonly number[] }) => a.size[0] === b.size[0] && a.size[1] === b.size[1];
  return generated.filter((m) => {
    const rle = toUncompressedRle(m.segmentation);
    return !known.some((k) => sameSize(k, rle) && rleIou(k, rle) > iouThresh);
  });
}
