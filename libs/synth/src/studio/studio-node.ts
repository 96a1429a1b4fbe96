import type { Placement, Shape } from '../geometry/shape.types';
import { hslToRgb } from '../paint/color';
import type { Rng } from '../prng';
import type { InstanceLevel } from '../scene/scene.types';
import { type Material, type MaterialKind, createMaterial, recolored } from './studio-materials';
import type { StudioNode } from './studio.types';

/** Small builders shared by the studio object outlines (studio-objects.ts, studio-tools.ts). */
export function node(
  kind: string,
  level: InstanceLevel,
  shape: Shape,
  material: Material,
  relief: number,
  children: StudioNode[] = [],
): StudioNode {
  return { kind, level, shape, material, relief, children };
}

/** A material of `kind` with its colours replaced by the given HSL pair (for liquids, labels, glass …). */
export function tinted(rng: Rng, kind: MaterialKind, h: number, s: number, l: number, dl = -0.12): Material {
  const m = createMaterial(rng, kind);
  return recolored(m, hslToRgb(h, s, l), hslToRgb(h, s, Math.max(0.03, Math.min(0.97, l + dl))));
}

/** Brightened or darkened colour: c · f + add per channel, capped at 255. */
export function scaleRgb(c: Material['color'], f: number, add = 0): Material['color'] {
  return [Math.min(255, c[0] * f + add), Math.min(255, c[1] * f + add), Math.min(255, c[2] * f + add)];
}

/** A width in local units, raised so that it is at least `px` pixels (thin parts stay visible). */
export function atLeast(p: Placement, units: number, px: number): number {
  return Math.max(units, px / p.size);
}
