import { placeRing } from '../geometry/shape-builders';
import type { Placement, Ring, Shape } from '../geometry/shape.types';

/**
 * Outline builders for the studio objects, in a local frame where 1 unit = `p.size` pixels
 * (rotated by `p.rotation`, centred on `p.cx, p.cy`). Each returns flat unit coordinates
 * [u0, v0, u1, v1, …]; `place` maps them to a pixel ring. Shapes with holes are several rings
 * (even-odd fill), as in geometry/.
 */
export function place(p: Placement, unit: readonly number[]): Ring {
  return placeRing(unit, p);
}

export function shapeOf(p: Placement, ...units: (readonly number[])[]): Shape {
  return { rings: units.map((u) => place(p, u)) };
}

/** Segments for an arc of `radius` units spanning `angle` radians: about one per 2 pixels. */
function arcSegments(p: Placement, radius: number, angle: number): number {
  return Math.min(96, Math.max(4, Math.ceil((Math.abs(angle) * radius * p.size) / 2)));
}

/** Points on an elliptical arc from angle a0 to a1 (inclusive), appended to `out`. */
export function arc(
  p: Placement,
  out: number[],
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  a0: number,
  a1: number,
): number[] {
  const n = arcSegments(p, Math.max(rx, ry), a1 - a0);
  for (let i = 0; i <= n; i++) {
    const t = a0 + ((a1 - a0) * i) / n;
    out.push(cx + rx * Math.cos(t), cy + ry * Math.sin(t));
  }
  return out;
}

export function ellipse(p: Placement, cx: number, cy: number, rx: number, ry: number): number[] {
  const pts = arc(p, [], cx, cy, rx, ry, 0, 2 * Math.PI);
  return pts.slice(0, -2); // the last point repeats the first
}

/** Axis-aligned (in the local frame) rectangle w × h centred on (cx, cy), corners rounded by r. */
export function roundedRect(p: Placement, cx: number, cy: number, w: number, h: number, r: number): number[] {
  const rr = Math.max(0, Math.min(r, w / 2, h / 2));
  const x0 = cx - w / 2 + rr;
  const x1 = cx + w / 2 - rr;
  const y0 = cy - h / 2 + rr;
  const y1 = cy + h / 2 - rr;
  if (rr === 0) return [x0, y0, x1, y0, x1, y1, x0, y1];
  const out: number[] = [];
  arc(p, out, x1, y0, rr, rr, -Math.PI / 2, 0);
  arc(p, out, x1, y1, rr, rr, 0, Math.PI / 2);
  arc(p, out, x0, y1, rr, rr, Math.PI / 2, Math.PI);
  arc(p, out, x0, y0, rr, rr, Math.PI, 1.5 * Math.PI);
  return out;
}

/**
 * Crescent: the disc of radius 0.5 at the origin minus the disc of radius `r` centred at
 * (d, 0), which must overlap it on the +u side (|0.5 − r| < d < 0.5 + r).
 */
export function crescent(p: Placement, d: number, r: number): number[] {
  const R = 0.5;
  const cosA = Math.min(1, Math.max(-1, (R * R + d * d - r * r) / (2 * d * R)));
  const a = Math.acos(cosA); // outer-circle angle of the upper intersection point
  const phi = Math.atan2(R * Math.sin(a), R * cosA - d); // same point seen from the inner centre
  const out = arc(p, [], 0, 0, R, R, a, 2 * Math.PI - a);
  arc(p, out, d, 0, r, r, 2 * Math.PI - phi, phi);
  return out.slice(0, -2);
}

/**
 * Leaf blade from tip (u = 0.5) to base (u = −0.5): half-width `w` at its widest, shifted toward
 * the base by `belly` (0 = symmetric lens), the two sides scaled by 1 ± `skew`.
 */
export function leafBlade(p: Placement, w: number, belly: number, skew: number): number[] {
  const n = arcSegments(p, 0.5, Math.PI);
  const side = (sign: number): number[] => {
    const pts: number[] = [];
    for (let i = 0; i <= n; i++) {
      const t = sign > 0 ? i / n : 1 - i / n;
      const s = Math.sin(Math.PI * t ** (1 + belly)) ** 0.85;
      pts.push(0.5 - t, sign * w * s * (1 + sign * skew));
    }
    return pts;
  };
  return [...side(1), ...side(-1).slice(2, -2)];
}

/** Ring segment between radii rIn and rOut, angles a0 → a1, centred on (cx, cy). */
export function annularSector(
  p: Placement,
  cx: number,
  cy: number,
  rOut: number,
  rIn: number,
  a0: number,
  a1: number,
): number[] {
  const out = arc(p, [], cx, cy, rOut, rOut, a0, a1);
  return arc(p, out, cx, cy, rIn, rIn, a1, a0);
}

/**
 * A band of varying width along a polyline (cords, stems, handles): `path` is [u, v, …],
 * `widths` one full width per point. Keep bends gentle (no self-overlap: even-odd would cut it).
 */
export function stroke(path: readonly number[], widths: readonly number[]): number[] {
  const n = path.length / 2;
  const left: number[] = [];
  const right: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    let tx = path[2 * b]! - path[2 * a]!;
    let ty = path[2 * b + 1]! - path[2 * a + 1]!;
    const len = Math.hypot(tx, ty) || 1;
    tx /= len;
    ty /= len;
    const h = widths[i]! / 2;
    left.push(path[2 * i]! - ty * h, path[2 * i + 1]! + tx * h);
    right.push(path[2 * i]! + ty * h, path[2 * i + 1]! - tx * h);
  }
  const out = [...left];
  for (let i = n - 1; i >= 0; i--) out.push(right[2 * i]!, right[2 * i + 1]!);
  return out;
}

/**
 * Open-ended wrench jaw: a disc of radius r at (cx, 0) with a slot of width `slot` cut in from
 * the +u side down to u = cx + depth·r (depth in (−1, 1)).
 */
export function jaw(p: Placement, cx: number, r: number, slot: number, depth: number): number[] {
  const a = Math.asin(Math.min(0.95, slot / 2 / r));
  const out = arc(p, [], cx, 0, r, r, a, 2 * Math.PI - a);
  const bottom = cx + depth * r;
  out.push(bottom, -slot / 2, bottom, slot / 2);
  return out;
}

/** Key blade along +u from u0 to u1, height h, with `teeth` notches of depth d on its lower edge. */
export function keyBlade(u0: number, u1: number, h: number, teeth: readonly number[]): number[] {
  const out = [u0, -h / 2, u1, -h / 2, u1 + h * 0.4, h / 2];
  const n = teeth.length;
  const step = (u1 - u0) / (n + 1);
  for (let i = n - 1; i >= 0; i--) {
    const u = u0 + step * (i + 1);
    out.push(u + step * 0.35, h / 2, u, h / 2 + teeth[i]!, u - step * 0.35, h / 2);
  }
  out.push(u0, h / 2);
  return out;
}
