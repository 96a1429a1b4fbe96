import { SAM_IMAGE_SIZE } from './sam-constants';

/** How an `H×W` image maps into the padded long-side frame (SAM-SPEC.md §2.1 step 2). */
export interface ResizeGeometry {
  originalHeight: number;
  originalWidth: number;
  /** Long side of the model frame (1024 for SAM). */
  targetSize: number;
  /** `targetSize / max(H, W)`, in double precision as `ResizeLongestSide` computes it. */
  scale: number;
  /** `int(H·s + 0.5)`: the rounded size the image is resized to before padding. */
  resizedHeight: number;
  resizedWidth: number;
}

function assertImageSize(height: number, width: number): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
}

/** `ResizeLongestSide.get_preprocess_shape`: s = S / max(H, W), newH = int(H·s + 0.5), newW = int(W·s + 0.5). */
export function resizeLongestSide(height: number, width: number, targetSize: number = SAM_IMAGE_SIZE): ResizeGeometry {
  assertImageSize(height, width);
  const scale = targetSize / Math.max(height, width);
  return {
    originalHeight: height,
    originalWidth: width,
    targetSize,
    scale,
    resizedHeight: Math.floor(height * scale + 0.5),
    resizedWidth: Math.floor(width * scale + 0.5),
  };
}

/**
 * `apply_coords` (SAM-SPEC.md §2.2): original-image pixels → the resized frame, per axis with the
 * ROUNDED size: x' = x · (newW / W), y' = y · (newH / H). Truck example: 1200×1800, (500, 375) →
 * (284.444…, 213.4375).
 */
export function transformCoords(x: number, y: number, geometry: ResizeGeometry): [number, number] {
  return [x * (geometry.resizedWidth / geometry.originalWidth), y * (geometry.resizedHeight / geometry.originalHeight)];
}

/** The decoder's own crop size in the 1024 frame (§1.5 step 2: `floor(H·s + 0.5)` in float32). */
export function decoderCropSize(height: number, width: number, targetSize: number = SAM_IMAGE_SIZE): [h: number, w: number] {
  const f = Math.fround;
  const s = f(targetSize / Math.max(height, width));
  return [Math.floor(f(f(f(height) * s) + 0.5)), Math.floor(f(f(f(width) * s) + 0.5))];
}
