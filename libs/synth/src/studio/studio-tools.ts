/** Small tools lying on the table, long axis along +u (local frame as in studio-objects.ts). */
import type { Placement } from '../geometry/shape.types';
import type { Rng } from '../prng';
import { atLeast, node, tinted } from './studio-node';
import { type MaterialKind, createMaterial } from './studio-materials';
import { ellipse, jaw, keyBlade, roundedRect, shapeOf, stroke } from './studio-shapes';
import type { StudioNode } from './studio.types';

/** A key: toothed blade (whole) and its bow (part), sometimes under a plastic cover. */
export function key(rng: Rng, p: Placement): StudioNode {
  const metal = createMaterial(rng, 'metal');
  const h = rng.range(0.09, 0.12);
  const teeth = Array.from({ length: rng.int(3, 5) }, () => rng.range(0.015, 0.05));
  const blade = keyBlade(-0.18, 0.42, h, teeth);
  const br = rng.range(0.17, 0.22);
  const covered = rng.chance(0.35);
  const bowMat = covered ? createMaterial(rng, 'plastic') : metal;
  const bow = shapeOf(p, ellipse(p, -0.3, 0, br, br * rng.range(0.8, 1)), ellipse(p, -0.36, 0, br * 0.3, br * 0.3));
  return node('key', 'whole', shapeOf(p, blade), metal, 0.3 * h * p.size, [
    node('bow', 'part', bow, bowMat, 0.25 * br * p.size),
  ]);
}

/** A screwdriver: metal shaft (whole), plastic handle (part) with rubber grip bands (sub-parts). */
export function screwdriver(rng: Rng, p: Placement): StudioNode {
  const metal = createMaterial(rng, 'metal');
  const sh = atLeast(p, 0.04, 3);
  const shaft = [-0.05, -sh / 2, 0.45, -sh / 2, 0.5, -sh / 5, 0.5, sh / 5, 0.45, sh / 2, -0.05, sh / 2];
  const hh = rng.range(0.11, 0.16);
  const handleMat = createMaterial(rng, rng.pick<MaterialKind>(['plastic', 'plastic', 'wood']));
  const grip = tinted(rng, 'rubber', rng.next(), rng.range(0.1, 0.5), rng.range(0.1, 0.25), -0.05);
  const bands = rng.int(2, 4);
  const grips: StudioNode[] = [];
  for (let i = 0; i < bands; i++) {
    const u = -0.42 + (0.34 * (i + 0.5)) / bands;
    grips.push(node('grip', 'subpart', shapeOf(p, roundedRect(p, u, 0, 0.34 / bands - 0.02, hh * 0.999, 0)), grip, 0));
  }
  return node('screwdriver', 'whole', shapeOf(p, shaft), metal, 0.5 * sh * p.size, [
    node('handle', 'part', shapeOf(p, roundedRect(p, -0.25, 0, 0.5, hh, hh * 0.45)), handleMat, 0.45 * hh * p.size, grips),
  ]);
}

/** A combination wrench: shaft (whole), open jaw and ring end (parts). */
export function wrench(rng: Rng, p: Placement): StudioNode {
  const metal = createMaterial(rng, 'metal');
  const sw = rng.range(0.07, 0.1);
  const shaft = roundedRect(p, 0, 0, 0.72, sw, sw * 0.4);
  const jr = rng.range(0.11, 0.14);
  const rr = jr * rng.range(0.8, 0.95);
  return node('wrench', 'whole', shapeOf(p, shaft), metal, 0.3 * sw * p.size, [
    node('jaw', 'part', shapeOf(p, jaw(p, 0.38, jr, jr * 0.9, rng.range(-0.1, 0.2))), metal, 0.2 * jr * p.size),
    node('ring-end', 'part', shapeOf(p, ellipse(p, -0.38, 0, rr, rr), ellipse(p, -0.38, 0, rr * 0.55, rr * 0.55)), metal, 0.15 * rr * p.size),
  ]);
}

/** A spoon: tapered handle (whole) and a dished bowl (part). */
export function spoon(rng: Rng, p: Placement): StudioNode {
  const m = createMaterial(rng, rng.pick<MaterialKind>(['metal', 'metal', 'wood', 'plastic']));
  const hw = rng.range(0.05, 0.07);
  const handle = stroke([-0.5, 0, -0.2, 0, 0.1, 0], [hw, hw * 0.75, hw * 0.45]);
  const handleEnd = ellipse(p, -0.5, 0, hw / 2, hw / 2);
  const bx = rng.range(0.18, 0.22);
  const by = bx * rng.range(0.55, 0.7);
  return node('spoon', 'whole', shapeOf(p, handle), m, 0.5 * hw * p.size, [
    node('handle-end', 'part', shapeOf(p, handleEnd), m, 0.5 * hw * p.size),
    node('bowl', 'part', shapeOf(p, ellipse(p, 0.3, 0, bx, by)), m, -0.5 * by * p.size),
  ]);
}

/** A pencil: painted body (whole); sharpened tip (part) with its lead (sub-part); ferrule and eraser (parts). */
export function pencil(rng: Rng, p: Placement): StudioNode {
  const h = atLeast(p, rng.range(0.06, 0.08), 6);
  const paint = createMaterial(rng, 'plastic');
  const wood = tinted(rng, 'wood', rng.range(0.07, 0.1), rng.range(0.35, 0.5), rng.range(0.62, 0.75));
  const lead = tinted(rng, 'metal', 0.6, 0.03, rng.range(0.2, 0.3), -0.05);
  const ferrule = createMaterial(rng, 'metal');
  const eraser = tinted(rng, 'rubber', rng.range(0.95, 1.02), rng.range(0.4, 0.6), rng.range(0.6, 0.72), -0.06);
  const tip = [0.28, -h / 2, 0.47, 0, 0.28, h / 2];
  const leadTip = [0.39, -h * 0.21, 0.47, 0, 0.39, h * 0.21];
  return node('pencil', 'whole', shapeOf(p, roundedRect(p, -0.04, 0, 0.64, h, 0)), paint, 0.35 * h * p.size, [
    node('tip', 'part', shapeOf(p, tip), wood, 0.3 * h * p.size, [node('lead', 'subpart', shapeOf(p, leadTip), lead, 0.2 * h * p.size)]),
    node('ferrule', 'part', shapeOf(p, roundedRect(p, -0.395, 0, 0.07, h * 1.04, 0)), ferrule, 0.45 * h * p.size),
    node('eraser', 'part', shapeOf(p, roundedRect(p, -0.465, 0, 0.07, h * 0.98, h * 0.25)), eraser, 0.4 * h * p.size),
  ]);
}
