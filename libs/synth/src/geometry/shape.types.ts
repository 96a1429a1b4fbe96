/** A closed polygon as a flat list of coordinates: [x0, y0, x1, y1, ...] in pixel units. */
export type Ring = number[];

/**
 * One or more rings filled with the EVEN-ODD rule, so an inner ring cuts a hole
 * (donuts, frames, rings).
 */
export interface Shape {
  rings: Ring[];
}

/** Where and how big a shape is: centre, characteristic size in pixels, rotation in radians. */
export interface Placement {
  cx: number;
  cy: number;
  size: number;
  rotation: number;
}

/**
 * Horizontal pixel runs covered by a shape: triples (y, x0, x1) with x1 exclusive,
 * clipped to the image.
 */
export interface SpanList {
  data: Int32Array;
  count: number;
}
