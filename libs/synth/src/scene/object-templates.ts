import { ellipseRing, placeRing } from '../geometry/shape-builders';
import type { Placement, Shape } from '../geometry/shape.types';
import type { Rng } from '../prng';
import type { HierarchyTemplate, InstanceLevel } from './scene.types';

/** One node of an object to draw: its own shape, drawn before (under) its children. */
export interface NodeSpec {
  kind: string;
  level: InstanceLevel;
  shape: Shape;
  children: NodeSpec[];
}

/**
 * Composite objects, in a local frame where 1 unit = `p.size` pixels, rotated by `p.rotation`.
 * Parts sit on / overlap their parent so that a click on a sub-part is ambiguous between the
 * sub-part, its part and the whole (SAM's three-level ambiguity).
 */
export function buildTemplate(template: HierarchyTemplate, rng: Rng, p: Placement): NodeSpec {
  switch (template) {
    case 'creature':
      return creature(rng, p);
    case 'vehicle':
      return vehicle(rng, p);
    case 'house':
      return house(rng, p);
    case 'target':
      return target(rng, p);
  }
}

function node(kind: string, level: InstanceLevel, shape: Shape, children: NodeSpec[] = []): NodeSpec {
  return { kind, level, shape, children };
}

/** Circle of radius r (units) at local (u, v), at least `minPx` pixels in radius. */
function circle(p: Placement, u: number, v: number, r: number, minPx = 0): Shape {
  const [x, y] = local(p, u, v);
  const rp = Math.max(minPx, r * p.size);
  return { rings: [ellipseRing(x, y, rp, rp)] };
}

function poly(p: Placement, pts: number[]): Shape {
  return { rings: [placeRing(pts, p)] };
}

function rect(p: Placement, u: number, v: number, w: number, h: number): Shape {
  return poly(p, [u - w / 2, v - h / 2, u + w / 2, v - h / 2, u + w / 2, v + h / 2, u - w / 2, v + h / 2]);
}

function local(p: Placement, u: number, v: number): [number, number] {
  const cos = Math.cos(p.rotation);
  const sin = Math.sin(p.rotation);
  const x = u * p.size;
  const y = v * p.size;
  return [p.cx + x * cos - y * sin, p.cy + x * sin + y * cos];
}

function creature(rng: Rng, p: Placement): NodeSpec {
  const ry = rng.range(0.22, 0.32);
  const [bx, by] = local(p, 0, 0);
  const body: Shape = { rings: [ellipseRing(bx, by, 0.5 * p.size, ry * p.size, p.rotation)] };
  const headR = rng.range(0.16, 0.22);
  const hu = 0.5;
  const hv = -ry * 0.5;
  const eyeR = headR * rng.range(0.22, 0.32);
  const eyes = [node('eye', 'subpart', circle(p, hu + headR * 0.35, hv - headR * 0.3, eyeR, 2))];
  if (rng.chance(0.5)) eyes.push(node('eye', 'subpart', circle(p, hu - headR * 0.25, hv - headR * 0.35, eyeR, 2)));
  const parts = [node('head', 'part', circle(p, hu, hv, headR), eyes)];
  const legs = rng.int(2, 4);
  const thick = Math.max(2.5 / p.size, 0.06);
  for (let i = 0; i < legs; i++) {
    const u = -0.32 + (0.55 * i) / Math.max(1, legs - 1);
    const top = ry * Math.sqrt(Math.max(0, 1 - (u / 0.5) ** 2)) * 0.8;
    parts.push(node('leg', 'part', rect(p, u, top + 0.14, thick, 0.28)));
  }
  return node('creature', 'whole', body, parts);
}

function vehicle(rng: Rng, p: Placement): NodeSpec {
  const h = rng.range(0.28, 0.38);
  const body = rect(p, 0, 0, 1, h);
  const top = -h / 2;
  const cabinH = rng.range(0.22, 0.3);
  const cabin = poly(p, [-0.32, top, 0.28, top, 0.16, top - cabinH, -0.22, top - cabinH]);
  const inset = 0.045;
  const window = poly(p, [-0.27, top - inset, 0.2, top - inset, 0.12, top - cabinH + inset, -0.19, top - cabinH + inset]);
  const wheelR = rng.range(0.13, 0.17);
  const wheels = [-0.3, 0.3].map((u) =>
    node('wheel', 'part', circle(p, u, h / 2, wheelR), [node('hub', 'subpart', circle(p, u, h / 2, wheelR * 0.42, 2))]),
  );
  return node('vehicle', 'whole', body, [node('cabin', 'part', cabin, [node('window', 'subpart', window)]), ...wheels]);
}

function house(rng: Rng, p: Placement): NodeSpec {
  const body = rect(p, 0, 0.15, 0.7, 0.55);
  const roof = poly(p, [-0.45, -0.125, 0.45, -0.125, rng.range(-0.1, 0.1), -0.5]);
  const door = node('door', 'part', rect(p, -0.15, 0.275, 0.16, 0.3), [
    node('knob', 'subpart', circle(p, -0.1, 0.29, 0.022, 2)),
  ]);
  const window = node('window', 'part', rect(p, 0.17, 0.1, 0.2, 0.18), [
    node('pane', 'subpart', rect(p, 0.17, 0.1, 0.13, 0.11)),
  ]);
  return node('house', 'whole', body, [node('roof', 'part', roof), door, window]);
}

function target(rng: Rng, p: Placement): NodeSpec {
  const du = rng.range(-0.04, 0.04);
  const dv = rng.range(-0.04, 0.04);
  const bull = node('bullseye', 'subpart', circle(p, du * 2, dv * 2, rng.range(0.1, 0.16)));
  const inner = node('inner-ring', 'part', circle(p, du, dv, rng.range(0.28, 0.36)), [bull]);
  return node('target', 'whole', circle(p, 0, 0, 0.5), [inner]);
}
