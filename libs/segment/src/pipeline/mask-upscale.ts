import { decoderCropSize } from './resize-geometry';
import { SAM_IMAGE_SIZE } from './sam-constants';

/**
 * Bilinear resize with half-pixel centres and no antialias (`F.interpolate(..., "bilinear",
 * align_corners=False)`, ONNX Resize half_pixel): src = (dst + 0.5)·(in/out) − 0.5, clamped to
 * the border. Reads the top-left `inH × inW` region of a row-major plane `stride` values wide.
 */
export function resizeBilinearHalfPixel(src: Float32Array, stride: number, inH: number, inW: number, outH: number, outW: number): Float32Array {
  const taps = (inSize: number, outSize: number) => {
    const i0 = new Int32Array(outSize);
    const i1 = new Int32Array(outSize);
    const w1 = new Float32Array(outSize);
    const scale = inSize / outSize;
    for (let o = 0; o < outSize; o++) {
      const s = Math.max((o + 0.5) * scale - 0.5, 0);
      const a = Math.min(Math.floor(s), inSize - 1);
      i0[o] = a;
      i1[o] = Math.min(a + 1, inSize - 1);
      w1[o] = Math.min(s - a, 1);
    }
    return { i0, i1, w1 };
  };
  const x = taps(inW, outW);
  const y = taps(inH, outH);
  const rows = new Float32Array(inH * outW); // horizontal pass
  for (let r = 0; r < inH; r++) {
    const base = r * stride;
    for (let o = 0; o < outW; o++) {
      const a = src[base + x.i0[o]!]!;
      rows[r * outW + o] = a + (src[base + x.i1[o]!]! - a) * x.w1[o]!;
    }
  }
  const out = new Float32Array(outH * outW);
  for (let o = 0; o < outH; o++) {
    const r0 = y.i0[o]! * outW;
    const r1 = y.i1[o]! * outW;
    const w = y.w1[o]!;
    for (let c = 0; c < outW; c++) {
      const a = rows[r0 + c]!;
      out[o * outW + c] = a + (rows[r1 + c]! - a) * w;
    }
  }
  return out;
}

/**
 * SAM-SPEC.md §1.5 in TypeScript: low-res logits (`L × L`, padded S-frame) → `S × S` → crop to the
 * un-padded `h' × w'` (float32 rounding as in the graph) → `H × W`. What the decoder's `masks`
 * output contains, e.g. for previews from `low_res_masks` or to check a decoder export.
 */
export function upscaleLowResLogits(lowRes: Float32Array, lowResSize: number, height: number, width: number, imageSize: number = SAM_IMAGE_SIZE): Float32Array {
  const [ch, cw] = decoderCropSize(height, width, imageSize);
  // only the rows/columns of the S×S upscale that survive the crop are computed
  const full = resizeBilinearHalfPixelRegion(lowRes, lowResSize, imageSize, ch, cw);
  return resizeBilinearHalfPixel(full, cw, ch, cw, height, width);
}

/** The top-left `keepH × keepW` corner of resizing an `n × n` plane to `size × size`. */
function resizeBilinearHalfPixelRegion(src: Float32Array, n: number, size: number, keepH: number, keepW: number): Float32Array {
  const scale = n / size;
  const out = new Float32Array(keepH * keepW);
  const xi0 = new Int32Array(keepW);
  const xi1 = new Int32Array(keepW);
  const xw = new Float32Array(keepW);
  for (let o = 0; o < keepW; o++) {
    const s = Math.max((o + 0.5) * scale - 0.5, 0);
    const a = Math.min(Math.floor(s), n - 1);
    xi0[o] = a;
    xi1[o] = Math.min(a + 1, n - 1);
    xw[o] = Math.min(s - a, 1);
  }
  for (let r = 0; r < keepH; r++) {
    const s = Math.max((r + 0.5) * scale - 0.5, 0);
    const a = Math.min(Math.floor(s), n - 1);
    const b = Math.min(a + 1, n - 1);
    const w = Math.min(s - a, 1);
    for (let c = 0; c < keepW; c++) {
      const p00 = src[a * n + xi0[c]!]!;
      const p01 = src[a * n + xi1[c]!]!;
      const p10 = src[b * n + xi0[c]!]!;
      const p11 = src[b * n + xi1[c]!]!;
      const top = p00 + (p01 - p00) * xw[c]!;
      const bottom = p10 + (p11 - p10) * xw[c]!;
      out[r * keepW + c] = top + (bottom - top) * w;
    }
  }
  return out;
}
