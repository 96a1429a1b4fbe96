import type { Rng } from '../prng';
import type { Placement, Ring, Shape } from './shape.types';

/** Maps points given in a unit frame (size 1, centred on 0) through a placement. */
export function placeRing(unit: readonly number[], p: Placement, sx = 1, sy = 1): Ring {
  const cos = Math.cos(p.rotation);
  const sin = Math.sin(p.rotation);
  const out: Ring = new Array<number>(unit.length);
  for (let i = 0; i < unit.length; i += 2) {
    const x = unit[i]! * sx * p.size;
    const y = unit[i + 1]! * sy * p.size;
    out[i] = p.cx + x * cos - y * sin;
    out[i + 1] = p.cy + x * sin + y * cos;
  }
  return out;
}

/** Ellipse polygon in pixel units (radii in pixels), enough segments to look round. */
export function ellipseRing(cx: number, cy: number, rx: number, ry: number, rotation = 0): Ring {
  const segments = Math.min(160, Math.max(12, Math.round((Math.PI * (rx + ry)) / 2)));
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const out: Ring = new Array<number>(segments * 2);
  for (let i = 0; i < segments; i++) {
    const t = (2 * Math.PI * i) / segments;
    const x = rx * Math.cos(t);
    const y = ry * Math.sin(t);
    out[2 * i] = cx + x * cos - y * sin;
    out[2 * i + 1] = cy + x * sin + y * cos;
  }
  return out;
}

/**
 * Radial-noise polygon: r(θ) = r · (1 + Σ a_k sin(kθ + φ_k)), kept well away from zero.
 * With wobble w the radius stays within r · (1 ± 0.8w).
 */
export function blobRing(rng: Rng, cx: number, cy: number, r: number, wobble = 1): Ring {
  const harmonics: [number, number, number][] = [];
  for (let k = 2; k <= 6; k++) harmonics.push([k, rng.range(0, (0.35 * wobble) / (k - 1)), rng.range(0, 2 * Math.PI)]);
  const segments = Math.min(160, Math.max(24, Math.round(r)));
  const out: Ring = new Array<number>(segments * 2);
  for (let i = 0; i < segments; i++) {
    const t = (2 * Math.PI * i) / segments;
    let f = 1;
    for (const [k, a, phi] of harmonics) f += a * Math.sin(k * t + phi);
    const rr = r * Math.max(0.35, f);
    out[2 * i] = cx + rr * Math.cos(t);
    out[2 * i + 1] = cy + rr * Math.sin(t);
  }
  return out;
}

export function starRing(p: Placement, points: number, innerRatio: number): Ring {
  const unit: number[] = [];
  for (let i = 0; i < points * 2; i++) {
    const r = i % 2 === 0 ? 0.5 : 0.5 * innerRatio;
    const t = (Math.PI * i) / points - Math.PI / 2;
    unit.push(r * Math.cos(t), r * Math.sin(t));
  }
  return placeRing(unit, p);
}

export function regularPolygonRing(rng: Rng, p: Placement, sides: number, jitter: number): Ring {
  const unit: number[] = [];
  for (let i = 0; i < sides; i++) {
    const t = ((i + rng.range(-jitter, jitter)) * 2 * Math.PI) / sides;
    unit.push(0.5 * Math.cos(t), 0.5 * Math.sin(t));
  }
  return placeRing(unit, p);
}

export function rectRing(p: Placement, w: number, h: number): Ring {
  return placeRing([-w / 2, -h / 2, w / 2, -h / 2, w / 2, h / 2, -w / 2, h / 2], p);
}

/** Letter-like concave outlines in a [-0.5, 0.5] box; `t` is the stroke thickness (0.2–0.4). */
export function notchedRing(kind: 'l-shape' | 'c-shape' | 'u-shape' | 't-shape' | 'cross', t: number): number[] {
  const a = -0.5;
  const b = 0.5;
  switch (kind) {
    case 'l-shape':
      return [a, a, a + t, a, a + t, b - t, b, b - t, b, b, a, b];
    case 'c-shape':
      return [a, a, b, a, b, a + t, a + t, a + t, a + t, b - t, b, b - t, b, b, a, b];
    case 'u-shape':
      return [a, a, a + t, a, a + t, b - t, b - t, b - t, b - t, a, b, a, b, b, a, b];
    case 't-shape':
      return [a, a, b, a, b, a + t, t / 2, a + t, t / 2, b, -t / 2, b, -t / 2, a + t, a, a + t];
    case 'cross': {
      const h = t / 2;
      return [-h, a, h, a, h, -h, b, -h, b, h, h, h, h, b, -h, b, -h, h, a, h, a, -h, -h, -h];
    }
  }
}

/** Thin bar: a rotated rectangle `length` × `thickness` pixels. */
export function barShape(p: Placement, thickness: number): Shape {
  return { rings: [rectRing({ ...p, size: 1 }, p.size, thickness)] };
}

/** Annulus (even-odd): outer radius r, inner radius r − thickness. */
export function annulusShape(cx: number, cy: number, r: number, thickness: number): Shape {
  return { rings: [ellipseRing(cx, cy, r, r), ellipseRing(cx, cy, Math.max(0.5, r - thickness), Math.max(0.5, r - thickness))] };
}
