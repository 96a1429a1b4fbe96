import type { FloatTensor } from './inference-backend.types';
import { resizeBilinearAntialias, type RgbImage } from './image-resize';
import { resizeLongestSide, type ResizeGeometry } from './resize-geometry';
import { PromptError } from './segment-errors';
import { SAM_IMAGE_SIZE, SAM_PIXEL_MEAN, SAM_PIXEL_STD } from './sam-constants';

/** The manifest's pre-processing parameters (SAM preset by default). */
export interface PreprocessConfig {
  imageSize: number;
  pixelMean: readonly [number, number, number];
  pixelStd: readonly [number, number, number];
}

export const SAM_PREPROCESS: PreprocessConfig = { imageSize: SAM_IMAGE_SIZE, pixelMean: SAM_PIXEL_MEAN, pixelStd: SAM_PIXEL_STD };

export interface PreprocessedImage {
  /** `[1, 3, S, S]` float32, planar RGB, normalised, zero-padded right and bottom. */
  tensor: FloatTensor;
  geometry: ResizeGeometry;
}

export function assertRgbImage(image: RgbImage): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PromptError(`image size must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 3 && channels !== 4) throw new PromptError(`image must have 3 (RGB) or 4 (RGBA) channels, got ${String(channels)}`);
  if (data.length !== width * height * channels) {
    throw new PromptError(`image data has ${data.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}`);
  }
}

/**
 * SAM-SPEC.md §2.1: RGB → resize long side to S (antialiased bilinear) → (x − mean) / std per
 * channel on the 0–255 scale → CHW with batch → pad right/bottom with 0 AFTER normalisation.
 */
export function preprocessImage(image: RgbImage, config: PreprocessConfig = SAM_PREPROCESS): PreprocessedImage {
  assertRgbImage(image);
  const size = config.imageSize;
  const geometry = resizeLongestSide(image.height, image.width, size);
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  const [m0, m1, m2] = config.pixelMean;
  const [s0, s1, s2] = config.pixelStd;
  // precomputed per-byte tables: normalisation becomes three lookups per pixel
  const lut = new Float32Array(3 * 256);
  for (let v = 0; v < 256; v++) {
    lut[v] = (v - m0) / s0;
    lut[256 + v] = (v - m1) / s1;
    lut[512 + v] = (v - m2) / s2;
  }
  resizeBilinearAntialias(image, geometry.resizedWidth, geometry.resizedHeight, (x, y, r, g, b) => {
    const p = y * size + x;
    data[p] = lut[r]!;
    data[plane + p] = lut[256 + g]!;
    data[2 * plane + p] = lut[512 + b]!;
  });
  return { tensor: { data, dims: [1, 3, size, size] }, geometry };
}
