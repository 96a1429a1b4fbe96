import type { Shape, SpanList } from '../geometry/shape.types';
import type { InstanceLevel } from '../scene/scene.types';
import type { Material } from './studio-materials';

/** One node of a studio object: its own outline, drawn before (under) its children. */
export interface StudioNode {
  kind: string;
  level: InstanceLevel;
  shape: Shape;
  material: Material;
  /**
   * How the surface is modelled, in pixels: it rises over `relief` pixels from the outline (a
   * bevel for small values, a dome or cylinder once it reaches the half-width); negative → a dish.
   * 0 → a decal (label, print, vein): printed on its parent and lit like it.
   */
  relief: number;
  children: StudioNode[];
}

/** A directional light (unit vector towards the light; image y points down) and the scene's ambient level. */
export interface StudioLight {
  x: number;
  y: number;
  z: number;
  ambient: number;
}

/** Float RGB (0–255 scale) being composited, per-pixel owner labels, and the lit shading of the top surface. */
export interface StudioCanvas {
  width: number;
  height: number;
  rgb: Float32Array;
  labels: Int32Array;
  /** Diffuse light factor and specular amount last written at each pixel (decals reuse them). */
  shade: Float32Array;
  spec: Float32Array;
}

/** Effects that can be switched off to test that they never touch masks (all on in generateScene). */
export interface StudioEffects {
  shadows: boolean;
  defocus: boolean;
}

export const ALL_STUDIO_EFFECTS: StudioEffects = { shadows: true, defocus: true };

/** A pixel rectangle in canvas coordinates (may reach outside the frame). */
export interface Region {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/** A linear light fall-off across one object: factor 1 + gx (x − cx) + gy (y − cy). */
export interface ObjectGradient {
  cx: number;
  cy: number;
  gx: number;
  gy: number;
}

/** Where a node's spans live: span coordinates + (x0, y0) = canvas coordinates. */
export interface NodeRaster {
  spans: SpanList;
  x0: number;
  y0: number;
}

/** How one object sits in the scene: its cast shadow, its focus and its light fall-off. */
export interface ObjectLook {
  /** Shadow offset in pixels (away from the light), its blur radius and darkening (0–1). */
  shadowDx: number;
  shadowDy: number;
  shadowBlur: number;
  shadowStrength: number;
  /** Box-blur radius of a defocused object (0 = sharp). */
  defocus: number;
  gradient: ObjectGradient;
}
