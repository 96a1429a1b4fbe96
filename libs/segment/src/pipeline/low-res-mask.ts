import type { LogitMaskSummary } from './mask-postprocess';
import { decoderCropSize } from './resize-geometry';
import { SAM_IMAGE_SIZE, SAM_MASK_THRESHOLD, SAM_STABILITY_OFFSET } from './sam-constants';

/**
 * Per output index along one axis: the up-to-4 low-res taps and weights of SAM-SPEC.md §1.5
 * composed (bilinear L → S, crop to `crop`, bilinear crop → `out`; half-pixel, no antialias),
 * plus the first and last low-res index each output reads.
 */
interface AxisTaps {
  index: Int32Array;
  weight: Float32Array;
  lo: Int32Array;
  hi: Int32Array;
}

function halfPixel(inSize: number, outSize: number, o: number): [i0: number, i1: number, w1: number] {
  const s = Math.max((o + 0.5) * (inSize / outSize) - 0.5, 0);
  const a = Math.min(Math.floor(s), inSize - 1);
  return [a, Math.min(a + 1, inSize - 1), Math.min(s - a, 1)];
}

function axisTaps(lowRes: number, imageSize: number, crop: number, out: number): AxisTaps {
  const index = new Int32Array(out * 4);
  const weight = new Float32Array(out * 4);
  const lo = new Int32Array(out);
  const hi = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const [c0, c1, w] = crop === out ? [o, o, 0] : halfPixel(crop, out, o);
    const [a0, a1, u0] = halfPixel(lowRes, imageSize, c0);
    const [b0, b1, u1] = halfPixel(lowRes, imageSize, c1);
    index.set([a0, a1, b0, b1], o * 4);
    weight.set([(1 - w) * (1 - u0), (1 - w) * u0, w * (1 - u1), w * u1], o * 4);
    lo[o] = Math.min(a0, b0);
    hi[o] = Math.max(a1, b1);
  }
  return { index, weight, lo, hi };
}

const tapCache = new Map<string, AxisTaps>();

function cachedTaps(lowRes: number, imageSize: number, crop: number, out: number): AxisTaps {
  const key = `${lowRes}/${imageSize}/${crop}/${out}`;
  let taps = tapCache.get(key);
  if (!taps) {
    if (tapCache.size > 32) tapCache.clear();
    taps = axisTaps(lowRes, imageSize, crop, out);
    tapCache.set(key, taps);
  }
  return taps;
}

const TILE = 16;

/**
 * One decoder channel's low-res logits (`L × L`, the padded S-frame) → the `height × width`
 * binary mask `logit > threshold`, its area and its stability score (§3.3), as `summarizeLogits`
 * computes them on the graph's `masks` output — without the full-resolution logits. The §1.5
 * upscale is linear with non-negative weights, so each output value lies between the smallest and
 * largest low-res logit it reads: a 16×16 tile whose low-res window sits entirely on one side of
 * the threshold and of both stability cut-offs is filled at once; only tiles along the mask's edges
 * are computed pixel by pixel. Values agree with the graph's to float32 rounding.
 */
export function summarizeLowResChannel(
  lowRes: Float32Array,
  lowResSize: number,
  height: number,
  width: number,
  imageSize: number = SAM_IMAGE_SIZE,
  threshold: number = SAM_MASK_THRESHOLD,
  offset: number = SAM_STABILITY_OFFSET,
): LogitMaskSummary {
  const L = lowResSize;
  if (lowRes.length !== L * L) throw new RangeError(`low-res logits have ${lowRes.length} values, expected ${L}×${L}`);
  if (offset < 0) throw new RangeError('stability offset must be ≥ 0');
  const [cropH, cropW] = decoderCropSize(height, width, imageSize);
  const ty = cachedTaps(L, imageSize, cropH, height);
  const tx = cachedTaps(L, imageSize, cropW, width);
  const data = new Uint8Array(height * width);
  const hiCut = threshold + offset;
  const loCut = threshold - offset;
  let area = 0;
  let inter = 0;
  let union = 0;
  for (let y0 = 0; y0 < height; y0 += TILE) {
    const y1 = Math.min(y0 + TILE, height);
    const rLo = ty.lo[y0]!;
    const rHi = ty.hi[y1 - 1]!;
    for (let x0 = 0; x0 < width; x0 += TILE) {
      const x1 = Math.min(x0 + TILE, width);
      const cLo = tx.lo[x0]!;
      const cHi = tx.hi[x1 - 1]!;
      let mn = Infinity;
      let mx = -Infinity;
      for (let r = rLo; r <= rHi; r++) {
        const row = r * L;
        for (let c = cLo; c <= cHi; c++) {
          const v = lowRes[row + c]!;
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      // every pixel of the tile on one side of each cut (no closures in this loop: it runs per tile)
      if ((mn > threshold || mx <= threshold) && (mn > hiCut || mx <= hiCut) && (mn > loCut || mx <= loCut)) {
        if (mn > loCut) union += n;
        if (mn > hiCut) inter += n;
        if (mn > threshold) {
          area += n;
          for (let y = y0; y < y1; y++) data.fill(1, y * width + x0, y * width + x1);
        }
        continue;
      }
      for (let y = y0; y < y1; y++) {
        const yi = y * 4;
        const r0 = ty.index[yi]! * L;
        const r1 = ty.index[yi + 1]! * L;
        const r2 = ty.index[yi + 2]! * L;
        const r3 = ty.index[yi + 3]! * L;
        const wy0 = ty.weight[yi]!;
        const wy1 = ty.weight[yi + 1]!;
        const wy2 = ty.weight[yi + 2]!;
        const wy3 = ty.weight[yi + 3]!;
        const rowOut = y * width;
        for (let x = x0; x < x1; x++) {
          const xi = x * 4;
          const c0 = tx.index[xi]!;
          const c1 = tx.index[xi + 1]!;
          const c2 = tx.index[xi + 2]!;
          const c3 = tx.index[xi + 3]!;
          const wx0 = tx.weight[xi]!;
          const wx1 = tx.weight[xi + 1]!;
          const wx2 = tx.weight[xi + 2]!;
          const wx3 = tx.weight[xi + 3]!;
          const v =
            (lowRes[r0 + c0]! * wx0 + lowRes[r0 + c1]! * wx1 + lowRes[r0 + c2]! * wx2 + lowRes[r0 + c3]! * wx3) * wy0 +
            (lowRes[r1 + c0]! * wx0 + lowRes[r1 + c1]! * wx1 + lowRes[r1 + c2]! * wx2 + lowRes[r1 + c3]! * wx3) * wy1 +
            (lowRes[r2 + c0]! * wx0 + lowRes[r2 + c1]! * wx1 + lowRes[r2 + c2]! * wx2 + lowRes[r2 + c3]! * wx3) * wy2 +
            (lowRes[r3 + c0]! * wx0 + lowRes[r3 + c1]! * wx1 + lowRes[r3 + c2]! * wx2 + lowRes[r3 + c3]! * wx3) * wy3;
          if (v > loCut) {
            union++;
            if (v > threshold) {
              data[rowOut + x] = 1;
              area++;
              if (v > hiCut) inter++;
            }
          }
        }
      }
    }
  }
  return { mask: { height, width, data }, area, stabilityScore: union === 0 ? 0 : inter / union };
}
