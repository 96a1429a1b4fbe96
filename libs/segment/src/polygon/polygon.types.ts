/**
 * Polygon convention used by this library (COCO polygon export):
 * - a ring is a flat `[x0, y0, x1, y1, …]` list, implicitly closed, in pixel-CORNER coordinates
 *   (pixel (x, y) is the unit square `[x, x + 1] × [y, y + 1]`), as in COCO's `segmentation`;
 * - a mask is the EVEN-ODD fill of all its rings together, sampled at pixel centres: a pixel is
 *   inside when a ray from its centre crosses the rings an odd number of times. Outer contours
 *   and hole contours are both emitted, so holes and islands survive a round trip;
 * - outer rings run clockwise on screen (positive shoelace area with y pointing down), holes
 *   counter-clockwise; foreground is 8-connected (diagonal pixels share one ring), background 4.
 * Caveat: pycocotools' `frPyObjects` rasterises each polygon separately and UNIONS them, so a
 * COCO consumer using it fills the holes; use RLE when holes matter.
 */
export interface PolygonRing {
  /** Flat `[x0, y0, x1, y1, …]`, closed implicitly (the first point is not repeated). */
  points: number[];
  /** True for a hole contour (negative signed area). */
  hole: boolean;
}

export interface MaskToPolygonsOptions {
  /**
   * Douglas–Peucker tolerance in pixels; 0 (default) keeps every corner of the pixel boundary, so
   * `polygonsToMask` reproduces the mask exactly. Rings that collapse below 3 points are dropped.
   */
  tolerance?: number;
}
