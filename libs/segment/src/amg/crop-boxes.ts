import type { PointGrid } from './amg-options';

/** Integer crop box `[x0, y0, x1, y1]`, end exclusive (SAM-SPEC.md §3.2). */
export type CropBoxXyxy = [x0: number, y0: number, x1: number, y1: number];

export interface CropBoxes {
  boxes: CropBoxXyxy[];
  /** Layer index per box: 0 for the full image, i for the `(2^i)²` crops of layer i. */
  layers: number[];
}

/**
 * `generate_crop_boxes(im_size, n_layers, overlap_ratio)` (SAM-SPEC.md §3.2), in the same
 * evaluation order and double precision as upstream: `ov = int(r · short · (2 / k))`,
 * `cw = ceil((ov·(k−1) + W) / k)`, crops iterated x outer, y inner.
 */
export function generateCropBoxes(height: number, width: number, nLayers: number, overlapRatio: number): CropBoxes {
  const boxes: CropBoxXyxy[] = [[0, 0, width, height]];
  const layers = [0];
  const shortSide = Math.min(height, width);
  const cropLen = (orig: number, n: number, overlap: number): number => Math.ceil((overlap * (n - 1) + orig) / n);
  for (let i = 0; i < nLayers; i++) {
    const k = 2 ** (i + 1);
    const overlap = Math.trunc(overlapRatio * shortSide * (2 / k));
    const cw = cropLen(width, k, overlap);
    const ch = cropLen(height, k, overlap);
    const xs = Array.from({ length: k }, (_, j) => Math.trunc((cw - overlap) * j));
    const ys = Array.from({ length: k }, (_, j) => Math.trunc((ch - overlap) * j));
    for (const x0 of xs) {
      for (const y0 of ys) {
        boxes.push([x0, y0, Math.min(x0 + cw, width), Math.min(y0 + ch, height)]);
        layers.push(i + 1);
      }
    }
  }
  return { boxes, layers };
}

/**
 * `build_point_grid(n)`: `np.linspace(1/(2n), 1 − 1/(2n), n)` on both axes (numpy's formula:
 * `start + i·step`, last element exactly `stop`), points row by row (y outer, x fastest):
 * index `j·n + i` is `(v[i], v[j])` (§3.2).
 */
export function buildPointGrid(n: number): PointGrid {
  const offset = 1 / (2 * n);
  const v = linspace(offset, 1 - offset, n);
  const grid: [number, number][] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) grid.push([v[i]!, v[j]!]);
  return grid;
}

/** `build_all_layer_point_grids`: layer i has `int(n / factor^i)` points per side. */
export function buildAllLayerPointGrids(nPerSide: number, nLayers: number, scalePerLayer: number): PointGrid[] {
  const grids: PointGrid[] = [];
  for (let i = 0; i <= nLayers; i++) grids.push(buildPointGrid(Math.trunc(nPerSide / scalePerLayer ** i)));
  return grids;
}

/** numpy `linspace(start, stop, num)` with endpoint=True. */
function linspace(start: number, stop: number, num: number): number[] {
  if (num <= 0) return [];
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** Box area `(x1 − x0)·(y1 − y0)`, no +1 (torchvision `box_area`). */
export function boxAreaXyxy(b: readonly number[]): number {
  return (b[2]! - b[0]!) * (b[3]! - b[1]!);
}
