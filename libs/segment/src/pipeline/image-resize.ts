/**
 * Antialiased bilinear resize in the manner of PIL's `Image.resize(BILINEAR)` (which torchvision's
 * `resize` uses for SAM's `ResizeLongestSide`, SAM-SPEC.md §2.1): a triangle filter whose support
 * widens with the downscale factor, separable, horizontal pass first, 8-bit intermediate.
 * PIL works in fixed point; this works in floats with round-half-up, so pixels may differ by ±1
 * from PIL (the spec does not require bit-exactness).
 */

/** Interleaved 8-bit RGB or RGBA pixels, row-major (RGBA as canvas `ImageData` gives; alpha is ignored). */
export interface RgbImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** Per output coordinate: first input index, tap count, and `maxTaps` weights each. */
export interface ResampleCoefficients {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/** PIL `precompute_coeffs` for the bilinear (triangle) filter, support 1 scaled by the downscale factor. */
export function resampleCoefficients(inSize: number, outSize: number): ResampleCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    const base = o * maxTaps;
    for (let i = lo; i < hi; i++) {
      const t = Math.abs((i - center + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[base + i - lo] = w;
      total += w;
    }
    if (total > 0) for (let k = 0; k < hi - lo; k++) weights[base + k]! /= total;
    start[o] = lo;
    count[o] = hi - lo;
  }
  return { start, count, weights, maxTaps };
}

const clampByte = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5));

/** Horizontal pass: `image` (H × W × channels) → H × outWidth × 3 bytes. */
function resizeRows(image: RgbImage, outWidth: number): Uint8Array {
  const { width, height, channels, data } = image;
  const out = new Uint8Array(height * outWidth * 3);
  if (outWidth === width) {
    for (let p = 0, q = 0; p < width * height; p++, q += channels) {
      out[p * 3] = data[q]!;
      out[p * 3 + 1] = data[q + 1]!;
      out[p * 3 + 2] = data[q + 2]!;
    }
    return out;
  }
  const { start, count, weights, maxTaps } = resampleCoefficients(width, outWidth);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    const orow = y * outWidth * 3;
    for (let o = 0; o < outWidth; o++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const n = count[o]!;
      const wb = o * maxTaps;
      let q = row + start[o]! * channels;
      for (let k = 0; k < n; k++, q += channels) {
        const w = weights[wb + k]!;
        r += w * data[q]!;
        g += w * data[q + 1]!;
        b += w * data[q + 2]!;
      }
      const d = orow + o * 3;
      out[d] = clampByte(r);
      out[d + 1] = clampByte(g);
      out[d + 2] = clampByte(b);
    }
  }
  return out;
}

/**
 * Resize to `outWidth × outHeight` and hand each output pixel (x, y, r, g, b) to `emit` — lets the
 * caller normalise straight into its tensor without another full-size buffer.
 */
export function resizeBilinearAntialias(
  image: RgbImage,
  outWidth: number,
  outHeight: number,
  emit: (x: number, y: number, r: number, g: number, b: number) => void,
): void {
  const rows = resizeRows(image, outWidth);
  const stride = outWidth * 3;
  if (outHeight === image.height) {
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0, p = y * stride; x < outWidth; x++, p += 3) emit(x, y, rows[p]!, rows[p + 1]!, rows[p + 2]!);
    }
    return;
  }
  const { start, count, weights, maxTaps } = resampleCoefficients(image.height, outHeight);
  for (let y = 0; y < outHeight; y++) {
    const n = count[y]!;
    const wb = y * maxTaps;
    const first = start[y]! * stride;
    for (let x = 0; x < outWidth; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let p = first + x * 3;
      for (let k = 0; k < n; k++, p += stride) {
        const w = weights[wb + k]!;
        r += w * rows[p]!;
        g += w * rows[p + 1]!;
        b += w * rows[p + 2]!;
      }
      emit(x, y, clampByte(r), clampByte(g), clampByte(b));
    }
  }
}
