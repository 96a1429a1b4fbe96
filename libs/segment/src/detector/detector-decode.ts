import { boxNms } from '../amg/box-nms';

/**
 * Stage-2 box detector decoding (issue 3 "Box detector decoding"): the detector head's grid output
 * → scored XYXY boxes in original-image pixels → NMS.
 *
 * Contract implemented: the bundle manifest's `detector` section (bundle-manifest.schema.ts) and the
 * trainer head (`dataengine_trainer/model/detector.py`, CenterNet-style), on the G×G = 64×64
 * embedding grid of the padded `inputSize` (1024) frame, stride inputSize / G = 16:
 * - `objectness` `[1, 1, G, G]`: logits (manifest `score: "logit"`, default; sigmoid applied) or
 *   probabilities (`score: "probability"`);
 * - `boxes` `[1, 4, G, G]`, by `boxFormat` (manifest `box_format`):
 *   - `'ltrb'` (trainer head): distances left, top, right, bottom in pixels of the padded 1024
 *     frame from the cell centre `((j + 0.5)·16, (i + 0.5)·16)`;
 *   - `'xyxy'`: corners in frame pixels;
 *   - `'cxcywh'`: centre and size normalised to the frame (× inputSize) — the issue brief's
 *     fallback, not used by the trainer.
 * Decoding: keep cells whose score ≥ `scoreThreshold` (and, by default, that are 3×3 local maxima
 * of the score map — the trainer's targets are Gaussian bumps with boxes supervised only at their
 * centre cells), map boxes back to the original image by undoing the long-side resize with the
 * rounded size (SAM-SPEC.md §2.2: `x = x' · W / newW`, `y = y' · H / newH`), clip to the image,
 * drop empty boxes, NMS (torchvision semantics, suppress IoU > `nmsThreshold`), keep the top
 * `maxDetections` by score.
 */

export type DetectorBoxFormat = 'ltrb' | 'cxcywh' | 'xyxy';

/** Defaults (not from SAM; chosen for the trainer's CenterNet-style head). */
export const DETECTOR_DEFAULT_SCORE_THRESHOLD = 0.3;
export const DETECTOR_DEFAULT_NMS_THRESHOLD = 0.5;
export const DETECTOR_DEFAULT_MAX_DETECTIONS = 100;
/** Side of the square frame the encoder sees (SAM-SPEC.md §2.1). */
export const DETECTOR_INPUT_SIZE = 1024;

export interface DetectorOutput {
  /** `[1, 1, S, S]` objectness logits, row-major (i = row, j = column). */
  objectness: Float32Array;
  /** `[1, 4, S, S]` box channels, channel-major. */
  boxes: Float32Array;
}

export interface DetectorDecodeOptions {
  /** Manifest `box_format` (default `'ltrb'`, the trainer head's). */
  boxFormat?: DetectorBoxFormat;
  /** Manifest `score`: objectness as logits (default) or probabilities. */
  score?: 'logit' | 'probability';
  /** Side of the padded input frame (manifest image size; default 1024). */
  inputSize?: number;
  scoreThreshold?: number;
  nmsThreshold?: number;
  maxDetections?: number;
  /** Keep only 3×3 local maxima of the score map (default true). */
  localMaxima?: boolean;
}

export interface DetectedBox {
  /** XYXY in original-image pixels (floats, clipped to `[0, W] × [0, H]`). */
  box: [x0: number, y0: number, x1: number, y1: number];
  score: number;
}

export function decodeDetectorOutput(
  output: DetectorOutput,
  image: { width: number; height: number },
  options: DetectorDecodeOptions = {},
): DetectedBox[] {
  const n = output.objectness.length;
  const s = Math.round(Math.sqrt(n));
  if (s * s !== n || s === 0) throw new RangeError(`detector objectness must be [1,1,S,S]; got ${n} values`);
  if (output.boxes.length !== 4 * n) throw new RangeError(`detector boxes must be [1,4,${s},${s}] (${4 * n} values); got ${output.boxes.length}`);
  const { width: W, height: H } = image;
  if (!(W > 0 && H > 0)) throw new RangeError(`detector image size must be positive, got ${W}x${H}`);
  const encoding = options.boxFormat ?? 'ltrb';
  const threshold = options.scoreThreshold ?? DETECTOR_DEFAULT_SCORE_THRESHOLD;
  const peaks = options.localMaxima ?? true;
  const frame = options.inputSize ?? DETECTOR_INPUT_SIZE;
  const probabilities = options.score === 'probability';
  const stride = frame / s;
  const scale = frame / Math.max(H, W);
  const newW = Math.floor(W * scale + 0.5);
  const newH = Math.floor(H * scale + 0.5);
  const sx = W / newW;
  const sy = H / newH;

  const logits = output.objectness;
  const b = output.boxes;
  const cand: DetectedBox[] = [];
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      const k = i * s + j;
      const logit = logits[k]!;
      const score = probabilities ? logit : 1 / (1 + Math.exp(-logit));
      if (!(score >= threshold)) continue;
      if (peaks && !isLocalMax(logits, s, i, j)) continue;
      const c0 = b[k]!;
      const c1 = b[n + k]!;
      const c2 = b[2 * n + k]!;
      const c3 = b[3 * n + k]!;
      let x0: number;
      let y0: number;
      let x1: number;
      let y1: number;
      if (encoding === 'ltrb') {
        const cx = (j + 0.5) * stride;
        const cy = (i + 0.5) * stride;
        [x0, y0, x1, y1] = [cx - c0, cy - c1, cx + c2, cy + c3];
      } else if (encoding === 'cxcywh') {
        const [cx, cy, w, h] = [c0 * frame, c1 * frame, c2 * frame, c3 * frame];
        [x0, y0, x1, y1] = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
      } else {
        [x0, y0, x1, y1] = [c0, c1, c2, c3];
      }
      const box: DetectedBox['box'] = [clamp(x0 * sx, W), clamp(y0 * sy, H), clamp(x1 * sx, W), clamp(y1 * sy, H)];
      if (box[2] > box[0] && box[3] > box[1]) cand.push({ box, score });
    }
  }
  return nmsDetections(cand, options.nmsThreshold ?? DETECTOR_DEFAULT_NMS_THRESHOLD, options.maxDetections ?? DETECTOR_DEFAULT_MAX_DETECTIONS);
}

/** NMS over scored boxes (torchvision semantics), top `maxDetections` in decreasing score. */
export function nmsDetections(cand: readonly DetectedBox[], nmsThreshold: number, maxDetections: number): DetectedBox[] {
  const flat = new Float64Array(cand.length * 4);
  cand.forEach((c, i) => flat.set(c.box, 4 * i));
  return boxNms(flat, cand.map((c) => c.score), nmsThreshold)
    .slice(0, maxDetections)
    .map((i) => cand[i]!);
}

/** 3×3 max-pool peak test (CenterNet): not smaller than any neighbour. */
function isLocalMax(v: Float32Array, s: number, i: number, j: number): boolean {
  const c = v[i * s + j]!;
  for (let di = -1; di <= 1; di++) {
    for (let dj = -1; dj <= 1; dj++) {
      const y = i + di;
      const x = j + dj;
      if ((di !== 0 || dj !== 0) && y >= 0 && x >= 0 && y < s && x < s && v[y * s + x]! > c) return false;
    }
  }
  return true;
}

function clamp(v: number, hi: number): number {
  return v < 0 ? 0 : v > hi ? hi : v;
}
