import type { BundleManifest } from '../bundle/bundle-manifest.schema';
import type { InferenceBackend } from '../pipeline/inference-backend.types';
import type { ImageEmbedding } from '../pipeline/prompt.types';
import { InferenceError } from '../pipeline/segment-errors';
import { decodeDetectorOutput, type DetectedBox, type DetectorBoxFormat, type DetectorDecodeOptions } from './detector-decode';

/** Output names of the detector head (bundle/model-io.ts checks them at load time). */
export const DETECTOR_OUTPUT_NAMES = ['objectness', 'boxes'] as const;

/** What running a bundle's detector needs from its manifest. */
export interface BoxDetectorConfig {
  inputName: string;
  boxFormat: DetectorBoxFormat;
  score: 'logit' | 'probability';
  /** Padded frame side (manifest `image_size`). */
  inputSize: number;
}

/** The manifest's detector contract, or null when the bundle has no detector. */
export function boxDetectorConfig(manifest: BundleManifest): BoxDetectorConfig | null {
  const d = manifest.detector;
  if (!d) return null;
  return { inputName: d.input, boxFormat: d.box_format, score: d.score, inputSize: manifest.image_size };
}

/**
 * Runs the stage-2 detector head on an image embedding and decodes its boxes (original-image
 * pixels, XYXY, after NMS). `options` tunes thresholds; the format comes from the config.
 */
export async function detectBoxes(
  backend: InferenceBackend,
  config: BoxDetectorConfig,
  embedding: ImageEmbedding,
  options: Omit<DetectorDecodeOptions, 'boxFormat' | 'score' | 'inputSize'> = {},
): Promise<DetectedBox[]> {
  const out = await backend.run('detector', { [config.inputName]: embedding.tensor }, DETECTOR_OUTPUT_NAMES);
  const [objectness, boxes] = DETECTOR_OUTPUT_NAMES.map((n) => out[n]);
  if (!objectness || !boxes) throw new InferenceError(`detector did not return ${DETECTOR_OUTPUT_NAMES.filter((n) => !out[n]).join(', ')} (got ${Object.keys(out).join(', ')})`);
  return decodeDetectorOutput(
    { objectness: objectness.data, boxes: boxes.data },
    { width: embedding.imageWidth, height: embedding.imageHeight },
    { ...options, boxFormat: config.boxFormat, score: config.score, inputSize: config.inputSize },
  );
}
