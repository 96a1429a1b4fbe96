import { assertBinaryMask } from '../rle/rle-validate';
import type { BinaryMask } from '../rle/rle.types';
import type { MaskToPolygonsOptions, PolygonRing } from './polygon.types';

/** Directions on the corner grid, clockwise on screen: E, S, W, N. */
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

/**
 * Traces the boundary between foreground and background (the image outside counts as background)
 * into closed rings (see polygon.types.ts for the convention). Each boundary edge is directed with
 * the foreground on its right; at a saddle corner (two diagonal foreground pixels) the walk turns
 * left, which joins diagonal pixels into one ring (8-connected foreground). Collinear corners are
 * dropped, then rings are optionally simplified.
 */
export function maskToPolygons(mask: BinaryMask, options: MaskToPolygonsOptions = {}): PolygonRing[] {
  assertBinaryMask(mask);
  const { width: w, height: h, data } = mask;
  const vw = w + 1;
  const out = new Uint8Array(vw * (h + 1)); // bit d: an unused edge leaves this corner in direction d
  const fg = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] === 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] !== 1) continue;
      if (!fg(x, y - 1)) out[y * vw + x]! |= 1; // top edge, going E
      if (!fg(x + 1, y)) out[y * vw + x + 1]! |= 2; // right edge, going S
      if (!fg(x, y + 1)) out[(y + 1) * vw + x + 1]! |= 4; // bottom edge, going W
      if (!fg(x - 1, y)) out[(y + 1) * vw + x]! |= 8; // left edge, going N
    }
  }
  const tolerance = options.tolerance ?? 0;
  const rings: PolygonRing[] = [];
  for (let start = 0; start < out.length; start++) {
    while (out[start] !== 0) {
      const pts = traceRing(out, vw, start);
      const simplified = tolerance > 0 ? simplifyRing(pts, tolerance) : pts;
      if (simplified.length < 6) continue;
      rings.push({ points: simplified, hole: signedArea(simplified) < 0 });
    }
  }
  return rings;
}

/** Walks unused edges from `start` until stuck (necessarily back at `start`); returns the corners. */
function traceRing(out: Uint8Array, vw: number, start: number): number[] {
  let v = start;
  let d = lowestBit(out[v]!);
  const firstDir = d;
  const pts: number[] = [];
  let prevDir = -1;
  for (;;) {
    out[v]! &= ~(1 << d);
    if (d !== prevDir) pts.push(v % vw, (v / vw) | 0);
    prevDir = d;
    v += DX[d]! + DY[d]! * vw;
    const bits = out[v]!;
    if (bits === 0) break;
    // prefer a left turn, then straight, then right (never back)
    const left = (d + 3) & 3;
    const right = (d + 1) & 3;
    d = bits & (1 << left) ? left : bits & (1 << d) ? d : right;
  }
  // the start corner is collinear when the walk ends in the direction it began with
  if (prevDir === firstDir && pts.length > 2) pts.splice(0, 2);
  return pts;
}

function lowestBit(bits: number): number {
  for (let d = 0; d < 4; d++) if (bits & (1 << d)) return d;
  throw new Error('no edge');
}

/** Shoelace area of a flat closed ring (positive = clockwise on screen with y down). */
export function signedArea(points: readonly number[]): number {
  let s = 0;
  const n = points.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    s += points[i]! * points[j + 1]! - points[j]! * points[i + 1]!;
  }
  return s / 2;
}

/** Douglas–Peucker on a closed ring: split at the corner farthest from the first, simplify both halves. */
export function simplifyRing(points: readonly number[], tolerance: number): number[] {
  const n = points.length / 2;
  if (n < 4) return points.slice();
  let far = 0;
  let best = -1;
  for (let i = 1; i < n; i++) {
    const d = (points[2 * i]! - points[0]!) ** 2 + (points[2 * i + 1]! - points[1]!) ** 2;
    if (d > best) {
      best = d;
      far = i;
    }
  }
  const keep = new Uint8Array(n + 1);
  keep[0] = keep[far] = keep[n] = 1;
  const at = (i: number): [number, number] => [points[2 * (i % n)]!, points[2 * (i % n) + 1]!];
  const stack: [number, number][] = [
    [0, far],
    [far, n],
  ];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = at(a);
    const [bx, by] = at(b);
    const len = Math.hypot(bx - ax, by - ay);
    let idx = -1;
    let dmax = tolerance;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = at(i);
      const d = len === 0 ? Math.hypot(px - ax, py - ay) : Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / len;
      if (d > dmax) {
        dmax = d;
        idx = i;
      }
    }
    if (idx >= 0) {
      keep[idx] = 1;
      stack.push([a, idx], [idx, b]);
    }
  }
  const res: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) res.push(points[2 * i]!, points[2 * i + 1]!);
  return res;
}
