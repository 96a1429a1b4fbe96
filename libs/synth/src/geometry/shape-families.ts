import type { Rng } from '../prng';
import {
  annulusShape,
  barShape,
  blobRing,
  ellipseRing,
  notchedRing,
  placeRing,
  rectRing,
  regularPolygonRing,
  starRing,
} from './shape-builders';
import type { Placement, Shape } from './shape.types';

/** Shape families a scene can draw from (option `families`). */
export const SHAPE_FAMILIES = {
  /** convex polygons and ellipses */
  convex: ['triangle', 'rectangle', 'polygon', 'ellipse'],
  /** concave stars */
  star: ['star'],
  /** concave letter-like outlines */
  notched: ['l-shape', 'c-shape', 'u-shape', 't-shape', 'cross'],
  /** smooth radial-noise blobs */
  blob: ['blob'],
  /** bars a few pixels wide and thin rings */
  thin: ['bar', 'ring'],
  /** shapes with holes */
  holed: ['donut', 'frame'],
} as const;

export type ShapeFamily = keyof typeof SHAPE_FAMILIES;
export type PrimitiveKind = (typeof SHAPE_FAMILIES)[ShapeFamily][number];
export const ALL_SHAPE_FAMILIES = Object.keys(SHAPE_FAMILIES) as ShapeFamily[];

/** Builds one primitive of the given kind; `p.size` is its rough diameter in pixels. */
export function buildPrimitive(kind: PrimitiveKind, rng: Rng, p: Placement): Shape {
  switch (kind) {
    case 'triangle':
      return { rings: [regularPolygonRing(rng, p, 3, 0.12)] };
    case 'rectangle':
      return { rings: [rectRing(p, rng.range(0.5, 1), rng.range(0.35, 0.9))] };
    case 'polygon':
      return { rings: [regularPolygonRing(rng, p, rng.int(5, 8), 0.15)] };
    case 'ellipse':
      return { rings: [ellipseRing(p.cx, p.cy, p.size / 2, (p.size / 2) * rng.range(0.45, 1), p.rotation)] };
    case 'star':
      return { rings: [starRing(p, rng.int(5, 8), rng.range(0.35, 0.6))] };
    case 'l-shape':
    case 'c-shape':
    case 'u-shape':
    case 't-shape':
    case 'cross':
      return { rings: [placeRing(notchedRing(kind, rng.range(0.22, 0.38)), p, rng.range(0.75, 1.1), rng.range(0.75, 1.1))] };
    case 'blob':
      return { rings: [blobRing(rng, p.cx, p.cy, p.size / 2)] };
    case 'bar':
      return barShape({ ...p, size: p.size * rng.range(0.8, 1.6) }, rng.range(2, 6));
    case 'ring':
      return annulusShape(p.cx, p.cy, p.size / 2, rng.range(2, 5));
    case 'donut': {
      const r = p.size / 2;
      // outer radius ≥ 0.68 r (wobble 0.4); hole reaches ≤ 0.55 r + 0.11 r, so it stays inside
      const inner = r * rng.range(0.3, 0.55);
      const dx = rng.range(-0.08, 0.08) * r;
      const dy = rng.range(-0.08, 0.08) * r;
      const hole = ellipseRing(p.cx + dx, p.cy + dy, inner, inner * rng.range(0.7, 1), p.rotation);
      return { rings: [blobRing(rng, p.cx, p.cy, r, 0.4), hole] };
    }
    case 'frame': {
      const w = rng.range(0.7, 1);
      const h = rng.range(0.6, 1);
      const border = rng.range(0.14, 0.25) * Math.min(w, h);
      return { rings: [rectRing(p, w, h), rectRing(p, w - 2 * border, h - 2 * border)] };
    }
  }
}
