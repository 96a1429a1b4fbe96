import type { BinaryMask } from '../rle/rle.types';
import { maskToPolygons } from './mask-to-polygons';
import type { MaskToPolygonsOptions } from './polygon.types';
import { polygonsToMask } from './polygons-to-mask';

/** COCO `segmentation` polygons: every ring (outer and hole) as a flat list; even-odd semantics. */
export function maskToCocoPolygons(mask: BinaryMask, options: MaskToPolygonsOptions = {}): number[][] {
  return maskToPolygons(mask, options).map((r) => r.points);
}

export interface PolygonAreaError {
  /** Mask area and the area of its polygons rasterised back (even-odd, pixel centres). */
  maskArea: number;
  polygonArea: number;
  /** `|polygonArea − maskArea| / maskArea` (0 for an empty mask). */
  relativeAreaError: number;
  /** Pixels that differ between the mask and the round trip. */
  differingPixels: number;
  /** IoU of the mask with the round trip (1 when both are empty). */
  iou: number;
  vertices: number;
}

/** Mask → polygons → mask, measured. */
export function measurePolygonAreaError(mask: BinaryMask, options: MaskToPolygonsOptions = {}): PolygonAreaError {
  const rings = maskToPolygons(mask, options);
  const back = polygonsToMask(rings, mask.height, mask.width);
  let maskArea = 0;
  let polygonArea = 0;
  let inter = 0;
  let diff = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const a = mask.data[i]!;
    const b = back.data[i]!;
    maskArea += a;
    polygonArea += b;
    inter += a & b;
    diff += a ^ b;
  }
  const union = maskArea + polygonArea - inter;
  return {
    maskArea,
    polygonArea,
    relativeAreaError: maskArea > 0 ? Math.abs(polygonArea - maskArea) / maskArea : 0,
    differingPixels: diff,
    iou: union > 0 ? inter / union : 1,
    vertices: rings.reduce((s, r) => s + r.points.length / 2, 0),
  };
}
