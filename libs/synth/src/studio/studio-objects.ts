/**
 * Household studio objects, each in a local frame where 1 unit = `p.size` pixels. Parts sit on
 * or against their whole (a cup's handle and rim, a bottle's cap and label, a leaf's stem) so the
 * whole / part / sub-part levels mean what they do in classic scenes. Tools are in studio-tools.ts.
 */
import type { Placement } from '../geometry/shape.types';
import type { Rng } from '../prng';
import { atLeast, node, scaleRgb, tinted } from './studio-node';
import { type MaterialKind, createMaterial, recolored } from './studio-materials';
import { annularSector, crescent, ellipse, leafBlade, roundedRect, shapeOf, stroke } from './studio-shapes';
import type { StudioNode } from './studio.types';

export function tile(rng: Rng, p: Placement): StudioNode {
  const w = rng.range(0.7, 1);
  const h = rng.range(0.55, 1);
  const m = createMaterial(rng, rng.pick<MaterialKind>(['ceramic', 'ceramic', 'marble', 'wood']));
  const bevel = Math.min(10, Math.max(2, 0.05 * p.size));
  const children: StudioNode[] = [];
  if (rng.chance(0.5)) {
    const a = Math.min(w, h) * rng.range(0.22, 0.36);
    const motif = rng.chance(0.5) ? [0, -a, a, 0, 0, a, -a, 0] : ellipse(p, 0, 0, a, a * rng.range(0.6, 1));
    const glaze = tinted(rng, 'ceramic', rng.next(), rng.range(0.4, 0.8), rng.range(0.3, 0.55));
    children.push(node('motif', 'part', shapeOf(p, motif), glaze, 0));
  }
  return node('tile', 'whole', shapeOf(p, roundedRect(p, 0, 0, w, h, Math.min(w, h) * rng.range(0.08, 0.22))), m, bevel, children);
}

/** An ellipse with an off-centre elliptical hole: washer, o-ring, bangle. */
export function washer(rng: Rng, p: Placement): StudioNode {
  const ry = 0.5 * rng.range(0.8, 1);
  const hole = rng.range(0.35, 0.6);
  const dx = rng.range(-0.04, 0.04);
  const m = createMaterial(rng, rng.pick<MaterialKind>(['metal', 'metal', 'rubber', 'wood']));
  const band = (0.5 - 0.5 * hole) * p.size;
  const shape = shapeOf(p, ellipse(p, 0, 0, 0.5, ry), ellipse(p, dx, 0, 0.5 * hole, ry * hole));
  return node('washer', 'whole', shape, m, band * 0.55);
}

/** A sewing button: a disc with two or four thread holes and a raised rim (part). */
export function button(rng: Rng, p: Placement): StudioNode {
  const m = createMaterial(rng, rng.pick<MaterialKind>(['plastic', 'plastic', 'wood', 'ceramic']));
  const holes = rng.chance(0.5) ? 2 : 4;
  const hr = rng.range(0.05, 0.07);
  const d = 0.11;
  const rings = [ellipse(p, 0, 0, 0.5, 0.5)];
  for (let i = 0; i < holes; i++) {
    const t = (2 * Math.PI * i) / holes + (holes === 2 ? 0 : Math.PI / 4);
    rings.push(ellipse(p, d * Math.cos(t), d * Math.sin(t), hr, hr));
  }
  const rimWidth = rng.range(0.08, 0.12);
  const rim = shapeOf(p, ellipse(p, 0, 0, 0.5, 0.5), ellipse(p, 0, 0, 0.5 - rimWidth, 0.5 - rimWidth));
  return node('button', 'whole', shapeOf(p, ...rings), m, 0.12 * p.size, [
    node('rim', 'part', rim, m, rimWidth * p.size * 0.5),
  ]);
}

export function crescentObject(rng: Rng, p: Placement): StudioNode {
  const m = createMaterial(rng, rng.pick<MaterialKind>(['ceramic', 'plastic', 'wood', 'metal']));
  const shape = shapeOf(p, crescent(p, rng.range(0.22, 0.36), rng.range(0.4, 0.5)));
  return node('crescent', 'whole', shape, m, 0.09 * p.size);
}

/** Side view of a cup: tapered body, handle and rim (parts), liquid inside the rim (sub-part). */
export function cup(rng: Rng, p: Placement): StudioNode {
  const wt = rng.range(0.5, 0.65);
  const wb = wt * rng.range(0.72, 0.9);
  const h = rng.range(0.6, 0.78);
  const c = 0.08;
  const top = -h / 2 + 0.05;
  const bottom = h / 2;
  const body = [-wt / 2, top, wt / 2, top, wb / 2, bottom - c, wb / 2 - c, bottom, -wb / 2 + c, bottom, -wb / 2, bottom - c];
  const m = createMaterial(rng, rng.pick<MaterialKind>(['ceramic', 'ceramic', 'plastic', 'metal']));
  const edge = (wt + wb) / 4 - 0.02;
  const hr = rng.range(0.16, 0.22);
  const handle = annularSector(p, edge, 0.04, hr, hr * rng.range(0.55, 0.68), -Math.PI / 2, Math.PI / 2);
  const ry = wt * rng.range(0.1, 0.16);
  const rim = ellipse(p, 0, top, wt / 2, ry);
  const inner = ellipse(p, 0, top + ry * 0.12, wt / 2 - 0.035, ry * 0.78);
  const full = rng.chance(0.7);
  const liquid = full
    ? tinted(rng, 'plastic', rng.range(0.04, 0.09), rng.range(0.4, 0.7), rng.range(0.1, 0.3), 0.05)
    : recolored(m, scaleRgb(m.color, 0.7), m.color);
  return node('cup', 'whole', shapeOf(p, body), m, 0.4 * wb * p.size, [
    node('handle', 'part', shapeOf(p, handle), m, 0.5 * hr * 0.4 * p.size),
    node('rim', 'part', shapeOf(p, rim), m, 0.25 * ry * p.size, [
      node(full ? 'liquid' : 'inside', 'subpart', shapeOf(p, inner), liquid, full ? 1.5 : -0.6 * ry * p.size),
    ]),
  ]);
}

/** A bottle: body with shoulder and neck, cap (part), label (part) with a logo (sub-part). */
export function bottle(rng: Rng, p: Placement): StudioNode {
  const bw = rng.range(0.26, 0.36);
  const nw = bw * rng.range(0.32, 0.45);
  const shoulder = rng.range(-0.16, -0.06);
  const neck = shoulder - rng.range(0.14, 0.22);
  const topV = -0.44;
  const c = 0.035;
  const right: number[] = [nw / 2, topV, nw / 2, neck];
  for (let i = 1; i <= 6; i++) {
    const t = i / 6;
    const s = 0.5 - 0.5 * Math.cos(Math.PI * t);
    right.push(nw / 2 + (bw / 2 - nw / 2) * s, neck + (shoulder - neck) * t);
  }
  right.push(bw / 2, 0.5 - c, bw / 2 - c, 0.5);
  const outline: number[] = [...right];
  for (let i = right.length - 2; i >= 0; i -= 2) outline.push(-right[i]!, right[i + 1]!);
  const glass = rng.pick<[number, number, number]>([
    [0.33, 0.55, 0.25],
    [0.08, 0.7, 0.25],
    [0.58, 0.55, 0.35],
    [rng.next(), 0.75, 0.45],
  ]);
  const bodyMat = tinted(rng, 'plastic', glass[0], glass[1], glass[2], 0.08);
  const capMat = createMaterial(rng, rng.pick<MaterialKind>(['metal', 'plastic']));
  const cap = roundedRect(p, 0, topV - 0.02, nw * 1.15, 0.09, 0.015);
  const l0 = shoulder + rng.range(0.06, 0.12);
  const l1 = rng.range(0.3, 0.42);
  const label = roundedRect(p, 0, (l0 + l1) / 2, bw * 0.999, l1 - l0, 0);
  const labelMat = tinted(rng, 'paper', rng.next(), rng.range(0.05, 0.5), rng.range(0.7, 0.92), -0.08);
  const logoR = Math.min(bw * 0.32, (l1 - l0) * 0.32);
  const logoMat = tinted(rng, 'paper', rng.next(), rng.range(0.5, 0.9), rng.range(0.25, 0.5), 0.1);
  return node('bottle', 'whole', shapeOf(p, outline), bodyMat, 0.5 * bw * p.size, [
    node('cap', 'part', shapeOf(p, cap), capMat, 0.45 * nw * p.size),
    node('label', 'part', shapeOf(p, label), labelMat, 0, [
      node('logo', 'subpart', shapeOf(p, ellipse(p, 0, (l0 + l1) / 2, logoR, logoR * rng.range(0.6, 1))), logoMat, 0),
    ]),
  ]);
}

/** A leaf lying flat: blade, with a stem and a midrib (parts). */
export function leaf(rng: Rng, p: Placement): StudioNode {
  const m = createMaterial(rng, 'leaf');
  const blade = leafBlade(p, rng.range(0.14, 0.26), rng.range(0, 0.7), rng.range(-0.15, 0.15));
  const bend = rng.range(-0.06, 0.06);
  const stemW = atLeast(p, 0.03, 2.5);
  const stem = stroke([-0.46, 0, -0.58, bend * 0.5, -0.7, bend], [stemW, stemW * 0.9, stemW * 0.8]);
  const ribW = atLeast(p, 0.014, 1.6);
  const rib = stroke([-0.49, 0, 0, 0, 0.42, 0], [ribW, ribW * 0.8, ribW * 0.3]);
  const vein = recolored(m, scaleRgb(m.color, 1.35, 20), m.color2);
  return node('leaf', 'whole', shapeOf(p, blade), m, 0.05 * p.size, [
    node('stem', 'part', shapeOf(p, stem), recolored(m, m.color2, m.color2), stemW * p.size * 0.5),
    node('midrib', 'part', shapeOf(p, rib), vein, 0),
  ]);
}

/** Playing cards or photos fanned out: each a whole, with a printed face (part) and an emblem (sub-part). */
export function cardFan(rng: Rng, p: Placement): StudioNode[] {
  const count = rng.int(2, 5);
  const spread = rng.range(0.15, 0.35);
  const w = rng.range(0.55, 0.7);
  const h = w * rng.range(1.3, 1.5);
  const cards: StudioNode[] = [];
  for (let i = 0; i < count; i++) {
    const k = i - (count - 1) / 2;
    const rot = p.rotation + k * spread;
    const shift = k * 0.18 * p.size;
    const q: Placement = {
      cx: p.cx + shift * Math.cos(p.rotation) + rng.range(-0.03, 0.03) * p.size,
      cy: p.cy + shift * Math.sin(p.rotation) + rng.range(-0.03, 0.03) * p.size,
      size: p.size,
      rotation: rot,
    };
    const paper = createMaterial(rng, 'paper');
    const face = tinted(rng, 'paper', rng.next(), rng.range(0.3, 0.8), rng.range(0.35, 0.7), 0.1);
    const ink = tinted(rng, 'paper', rng.next(), rng.range(0.5, 0.9), rng.range(0.15, 0.45), 0.08);
    const e = w * rng.range(0.15, 0.22);
    const emblem = rng.chance(0.5) ? [0, -e * 1.3, e, 0, 0, e * 1.3, -e, 0] : ellipse(q, 0, 0, e, e);
    cards.push(
      node('card', 'whole', shapeOf(q, roundedRect(q, 0, 0, w, h, 0.05)), paper, 2.5, [
        node('face', 'part', shapeOf(q, roundedRect(q, 0, 0, w - 0.1, h - 0.1, 0.03)), face, 0, [
          node('emblem', 'subpart', shapeOf(q, emblem), ink, 0),
        ]),
      ]),
    );
  }
  return cards;
}

/** Beads threaded on a cord (whole) lying in a gentle curve; each bead is a part. */
export function beadString(rng: Rng, p: Placement): StudioNode {
  const amp = rng.range(0.04, 0.14);
  const freq = rng.range(0.6, 1.4);
  const phase = rng.range(0, 2 * Math.PI);
  const path: number[] = [];
  const n = 24;
  for (let i = 0; i <= n; i++) {
    const u = -0.5 + i / n;
    path.push(u, amp * Math.sin(2 * Math.PI * freq * u + phase));
  }
  const cordW = atLeast(p, 0.012, 2);
  const cord = createMaterial(rng, rng.pick<MaterialKind>(['fabric', 'rubber']));
  const beads = rng.int(5, 11);
  const r = Math.min(0.45 / beads, rng.range(0.03, 0.06));
  const mats = [createMaterial(rng, rng.pick<MaterialKind>(['plastic', 'ceramic', 'wood', 'metal']))];
  mats.push(rng.chance(0.5) ? mats[0]! : createMaterial(rng, rng.pick<MaterialKind>(['plastic', 'ceramic'])));
  const children: StudioNode[] = [];
  for (let b = 0; b < beads; b++) {
    const u = -0.42 + (0.84 * (b + 0.5)) / beads;
    const v = amp * Math.sin(2 * Math.PI * freq * u + phase);
    children.push(node('bead', 'part', shapeOf(p, ellipse(p, u, v, r, r)), mats[b % 2]!, r * p.size));
  }
  return node('bead-string', 'whole', shapeOf(p, stroke(path, new Array<number>(n + 1).fill(cordW))), cord, cordW * p.size * 0.5, children);
}
