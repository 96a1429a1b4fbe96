// COCO `segmentation` ↔ our stored RLE. COCO allows three shapes: compressed RLE {size, counts:
// string}, uncompressed RLE {size, counts: number[]} and polygons (a list of flat [x0, y0, …] rings
// whose union is the mask, as pycocotools' frPyObjects merges them).
//
// Holes: COCO polygons cannot express them (the union of the rings fills every hole). Our polygon
// export therefore writes the outer rings as `segmentation` — what every COCO reader understands —
// and the hole rings beside them as `segmentation_holes`. Our import rasterises outer + hole rings
// together with the even-odd rule, which reproduces the mask exactly when the rings were traced
// without simplification (tolerance 0); other readers see the mask with its holes filled.
import { AppError } from '@dataengine/contracts';
import {
  compressRle,
  decodeRle,
  encodeMask,
  maskToPolygons,
  parseCompressedRle,
  parseUncompressedRle,
  polygonsToMask,
  rleExtent,
  rlePaste,
  RleError,
  type BinaryMask,
  type CompressedRle,
} from '@dataengine/segment';

export interface CocoPolygons {
  /** outer boundaries (islands), COCO `segmentation` */
  outer: number[][];
  /** hole boundaries, our `segmentation_holes` extension */
  holes: number[][];
}

/** A stored mask as COCO polygons traced on pixel corners; tolerance 0 keeps every corner (exact). */
export function rleToCocoPolygons(rle: CompressedRle, tolerance: number): CocoPolygons {
  const extent = rleExtent(rle);
  if (!extent) return { outer: [], holes: [] };
  const [x0, y0, x1, y1] = extent;
  const crop = cropMask(decodeRle(rle), x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  const out: CocoPolygons = { outer: [], holes: [] };
  for (const ring of maskToPolygons(crop, { tolerance })) {
    const points = ring.points.map((v, i) => v + (i % 2 === 0 ? x0 : y0));
    (ring.hole ? out.holes : out.outer).push(points);
  }
  return out;
}

/**
 * Any COCO segmentation (plus our hole rings) → compressed RLE for an image of the given size.
 * Throws AppError(BAD_REQUEST) saying what is wrong; the caller checks size and emptiness.
 */
export function cocoSegmentationToRle(segmentation: unknown, holes: unknown, image: { width: number; height: number }): CompressedRle {
  try {
    if (Array.isArray(segmentation)) return polygonsToRle(asRings(segmentation, 'segmentation'), holes === undefined ? null : asRings(holes, 'segmentation_holes'), image);
    if (typeof segmentation === 'object' && segmentation !== null) {
      const counts = (segmentation as { counts?: unknown }).counts;
      return Array.isArray(counts) ? compressRle(parseUncompressedRle(segmentation)) : parseCompressedRle(segmentation);
    }
  } catch (error) {
    if (error instanceof RleError || error instanceof RangeError) throw new AppError('BAD_REQUEST', `malformed segmentation: ${error.message}`);
    throw error;
  }
  throw new AppError('BAD_REQUEST', `malformed segmentation: expected an RLE object {size, counts} or a list of polygons, got ${describe(segmentation)}`);
}

/**
 * Rasterises rings inside their bounding window only and pastes the result into the image frame.
 * Without hole rings each polygon is filled on its own and the results are unioned (COCO); with
 * them, all rings are filled together with the even-odd rule (our export, holes preserved).
 */
function polygonsToRle(outer: number[][], holes: number[][] | null, image: { width: number; height: number }): CompressedRle {
  const all = holes ? [...outer, ...holes] : outer;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const ring of all) {
    for (let i = 0; i < ring.length; i += 2) {
      minX = Math.min(minX, ring[i]!);
      maxX = Math.max(maxX, ring[i]!);
      minY = Math.min(minY, ring[i + 1]!);
      maxY = Math.max(maxY, ring[i + 1]!);
    }
  }
  const x0 = Math.max(0, Math.floor(minX));
  const y0 = Math.max(0, Math.floor(minY));
  const w = Math.max(0, Math.min(image.width, Math.ceil(maxX)) - x0);
  const h = Math.max(0, Math.min(image.height, Math.ceil(maxY)) - y0);
  if (w === 0 || h === 0) return compressRle({ size: [image.height, image.width], counts: [image.height * image.width] });
  const shift = (ring: number[]) => ring.map((v, i) => v - (i % 2 === 0 ? x0 : y0));
  let window: BinaryMask;
  if (holes) {
    window = polygonsToMask(all.map(shift), h, w);
  } else {
    window = { height: h, width: w, data: new Uint8Array(h * w) };
    for (const ring of outer) {
      const one = polygonsToMask([shift(ring)], h, w).data;
      for (let i = 0; i < one.length; i++) window.data[i]! |= one[i]!;
    }
  }
  return compressRle(rlePaste(encodeMask(window), x0, y0, image.height, image.width));
}

function asRings(value: unknown, field: string): number[][] {
  if (!Array.isArray(value)) throw new RangeError(`${field} must be a list of polygons, got ${describe(value)}`);
  return value.map((ring, k) => {
    if (!Array.isArray(ring) || ring.length < 6 || ring.length % 2 !== 0 || !ring.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new RangeError(`${field}[${k}] must be a flat list [x0, y0, x1, y1, …] of at least 3 points (an even count of finite numbers)`);
    }
    return ring as number[];
  });
}

function cropMask(mask: BinaryMask, x0: number, y0: number, w: number, h: number): BinaryMask {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(mask.data.subarray((y0 + y) * mask.width + x0, (y0 + y) * mask.width + x0 + w), y * w);
  return { height: h, width: w, data };
}

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
