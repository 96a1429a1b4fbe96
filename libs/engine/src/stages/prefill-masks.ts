// Stage 2's model work for one image: detector → scored boxes → one decoder call per box (the
// single-mask choice of SAM-SPEC.md §1.4) → keep by predicted IoU and stability (§3.3, the AMG
// scoring code) → NMS by predicted IoU → at most `maxMasksPerImage`. One decoder output is alive at
// a time: each is binarised into one reused buffer and kept only as an RLE.
import type { PrefillParams } from '@dataengine/contracts';
import {
  AMG_DEFAULT_BOX_NMS_THRESH,
  AMG_DEFAULT_STABILITY_SCORE_OFFSET,
  boxDetectorConfig,
  boxNms,
  detectBoxes,
  DETECTOR_DEFAULT_MAX_DETECTIONS,
  encodeMask,
  maskChannel,
  passesStability,
  rleExtent,
  rleToString,
  selectMaskChannels,
  thresholdLogitsInto,
  type ImageEmbedding,
  type UncompressedRle,
} from '@dataengine/segment';
import type { OpenBundle } from '@dataengine/segment/node';
import { ImageItemError } from './image-run-item';
import type { MachineMask } from './stage-masks';

type PrefillFilters = Pick<PrefillParams, 'boxScoreThreshold' | 'predIouThresh' | 'stabilityScoreThresh' | 'maxMasksPerImage'>;

interface Kept {
  rle: UncompressedRle;
  box: [number, number, number, number];
  predictedIou: number;
  stabilityScore: number;
}

/** Masks in decreasing predicted IoU, ready to store. */
export async function predictPrefillMasks(bundle: OpenBundle, embedding: ImageEmbedding, params: PrefillFilters): Promise<MachineMask[]> {
  const detector = boxDetectorConfig(bundle.manifest);
  if (!detector) throw new ImageItemError(`checkpoint "${bundle.manifest.name}" has no box detector; prefill needs a bundle with detector.onnx`);
  const boxes = await detectBoxes(bundle.backend, detector, embedding, {
    scoreThreshold: params.boxScoreThreshold,
    maxDetections: Math.max(DETECTOR_DEFAULT_MAX_DETECTIONS, params.maxMasksPerImage),
  });
  const height = embedding.imageHeight;
  const width = embedding.imageWidth;
  const size = { height, width, lowResSize: bundle.predictor.config.lowResSize };
  const scratch = new Uint8Array(height * width);
  const iouThresh = Math.fround(params.predIouThresh);
  const kept: Kept[] = [];
  for (const detection of boxes) {
    const { outputs, numPoints } = await bundle.predictor.decodeLogits(embedding, { box: detection.box });
    const channel = maskChannel(outputs, selectMaskChannels(outputs.iouPredictions.data, numPoints, false)[0]!, size);
    if (!(Math.fround(channel.predictedIou) >= iouThresh)) continue;
    const stability = thresholdLogitsInto(channel.logits, 0, channel.logits.length, AMG_DEFAULT_STABILITY_SCORE_OFFSET, scratch);
    if (!passesStability(stability, params.stabilityScoreThresh)) continue;
    const rle = encodeMask({ height, width, data: scratch });
    const box = rleExtent(rle);
    if (box) kept.push({ rle, box, predictedIou: channel.predictedIou, stabilityScore: stability });
  }
  const flat = new Float64Array(kept.length * 4);
  kept.forEach((k, i) => flat.set(k.box, 4 * i));
  return boxNms(flat, kept.map((k) => k.predictedIou), AMG_DEFAULT_BOX_NMS_THRESH)
    .slice(0, params.maxMasksPerImage)
    .map((i): MachineMask => {
      const k = kept[i]!;
      return { segmentation: { size: [height, width], counts: rleToString(k.rle.counts) }, predictedIou: k.predictedIou, stabilityScore: k.stabilityScore };
    });
}
