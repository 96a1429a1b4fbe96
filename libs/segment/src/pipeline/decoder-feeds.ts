import type { FloatTensor } from './inference-backend.types';
import type { BoxXyxy, SamPoint, SamPrompt } from './prompt.types';
import { transformCoords, type ResizeGeometry } from './resize-geometry';
import { POINT_LABEL, SAM_LOW_RES_SIZE, type DECODER_INPUT_NAMES } from './sam-constants';
import { PromptError } from './segment-errors';

export type DecoderInputName = (typeof DECODER_INPUT_NAMES)[number];

export interface DecoderFeeds {
  feeds: Record<DecoderInputName, FloatTensor>;
  /** `point_coords.shape[1]`, INCLUDING the padding point and box corners (the §1.4 `n`). */
  numPoints: number;
}

const VALID_LABELS = new Set<number>([POINT_LABEL.padding, POINT_LABEL.negative, POINT_LABEL.positive, POINT_LABEL.boxTopLeft, POINT_LABEL.boxBottomRight]);

// One read-only zero `mask_input` per size (256 KiB for SAM), shared by every call without a mask.
const zeroMasks = new Map<number, Float32Array>();
function zeroMaskInput(size: number): Float32Array {
  let zeros = zeroMasks.get(size);
  if (!zeros) zeroMasks.set(size, (zeros = new Float32Array(size * size)));
  return zeros;
}

function checkPoint(p: SamPoint, i: number, w: number, h: number): void {
  if (!VALID_LABELS.has(p.label)) {
    throw new PromptError(`point ${i}: label ${p.label} is not one of -1 (padding), 0 (negative), 1 (positive), 2 (box top-left), 3 (box bottom-right)`);
  }
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new PromptError(`point ${i}: coordinates must be finite numbers, got (${p.x}, ${p.y})`);
  if (p.label !== POINT_LABEL.padding && (p.x < 0 || p.y < 0 || p.x > w || p.y > h)) {
    throw new PromptError(`point ${i} (${p.x}, ${p.y}) is outside the ${w}×${h} image (x must be in [0, ${w}], y in [0, ${h}])`);
  }
}

/** Throws a PromptError unless `box` is 4 finite numbers with x0 ≤ x1, y0 ≤ y1, inside the image. */
export function assertBox(box: BoxXyxy, width: number, height: number): void {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new PromptError(`box must be 4 finite numbers x0,y0,x1,y1, got ${JSON.stringify(box)}`);
  }
  const [x0, y0, x1, y1] = box;
  if (x1 < x0 || y1 < y0) throw new PromptError(`box [${box.join(', ')}] is malformed: need x0 ≤ x1 and y0 ≤ y1`);
  if (x0 < 0 || y0 < 0 || x1 > width || y1 > height) {
    throw new PromptError(`box [${box.join(', ')}] is outside the ${width}×${height} image`);
  }
}

/**
 * Throws a PromptError for labels outside {−1, 0, 1, 2, 3}, points outside the image, a malformed
 * box or an empty prompt (check before running an expensive encoder). `hasBox`: a box is present
 * (as `box` or as raw points labelled 2/3), so no padding point is added.
 */
export function assertPrompt(prompt: SamPrompt, width: number, height: number): { hasBox: boolean } {
  const points = prompt.points ?? [];
  points.forEach((p, i) => checkPoint(p, i, width, height));
  const box = prompt.box ?? null;
  if (box !== null) assertBox(box, width, height);
  if (points.length === 0 && box === null) throw new PromptError('a prompt needs at least one point or a box');
  return { hasBox: box !== null || points.some((p) => p.label === POINT_LABEL.boxTopLeft || p.label === POINT_LABEL.boxBottomRight) };
}

/**
 * SAM-SPEC.md §1.2: clicks first, then the box as two points labelled 2 and 3, then the padding
 * point (0, 0) / −1 ONLY when there is no box; coordinates in the resized frame with the rounded
 * size (§2.2); `mask_input` / `has_mask_input` from the previous low-res logits; `orig_im_size`
 * = (H, W). Everything float32.
 */
export function buildDecoderFeeds(
  embedding: FloatTensor,
  prompt: SamPrompt,
  geometry: ResizeGeometry,
  lowResSize: number = SAM_LOW_RES_SIZE,
): DecoderFeeds {
  const { hasBox } = assertPrompt(prompt, geometry.originalWidth, geometry.originalHeight);
  const H = geometry.originalHeight;
  const W = geometry.originalWidth;
  const points = prompt.points ?? [];
  const box = prompt.box ?? null;

  const n = points.length + (box !== null ? 2 : 0) + (hasBox ? 0 : 1);
  const coords = new Float32Array(n * 2);
  const labels = new Float32Array(n);
  let k = 0;
  const push = (x: number, y: number, label: number, transform: boolean): void => {
    const [tx, ty] = transform ? transformCoords(x, y, geometry) : [x, y];
    coords[2 * k] = tx;
    coords[2 * k + 1] = ty;
    labels[k++] = label;
  };
  for (const p of points) push(p.x, p.y, p.label, p.label !== POINT_LABEL.padding);
  if (box !== null) {
    push(box[0], box[1], POINT_LABEL.boxTopLeft, true);
    push(box[2], box[3], POINT_LABEL.boxBottomRight, true);
  }
  if (!hasBox) push(0, 0, POINT_LABEL.padding, false);

  const maskInput = prompt.maskInput ?? null;
  if (maskInput !== null && maskInput.length !== lowResSize * lowResSize) {
    throw new PromptError(`mask input has ${maskInput.length} values, expected ${lowResSize}×${lowResSize} low-res logits`);
  }
  return {
    numPoints: n,
    feeds: {
      image_embeddings: embedding,
      point_coords: { data: coords, dims: [1, n, 2] },
      point_labels: { data: labels, dims: [1, n] },
      mask_input: { data: maskInput ?? zeroMaskInput(lowResSize), dims: [1, 1, lowResSize, lowResSize] },
      has_mask_input: { data: new Float32Array([maskInput !== null ? 1 : 0]), dims: [1] },
      orig_im_size: { data: new Float32Array([H, W]), dims: [2] },
    },
  };
}
