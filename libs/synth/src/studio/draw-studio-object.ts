import { rasterizeShape } from '../geometry/scanline-fill';
import type { Shape } from '../geometry/shape.types';
import type { DrawnNode } from '../scene/scene-instances';
import { boxBlur } from './box-blur';
import { castShadow } from './cast-shadow';
import { paintLitNode } from './paint-lit-node';
import type {
  NodeRaster,
  ObjectLook,
  Region,
  StudioCanvas,
  StudioEffects,
  StudioLight,
  StudioNode,
} from './studio.types';
import type { TiledNoise } from './tiled-noise';

/** Outlines are rasterized this far beyond the frame, so reliefs and shadows see the whole object near edges. */
const FRAME_MARGIN = 64;

export interface DrawContext {
  canvas: StudioCanvas;
  light: StudioLight;
  noise: TiledNoise;
  effects: StudioEffects;
  /** Whether parts become instances; if not, they are painted with their whole's label. */
  hierarchies: boolean;
  /** Drawn instances so far (appended to). */
  nodes: DrawnNode[];
}

/**
 * Draws one object (a whole and its part tree) over what is already on the canvas: first its
 * soft cast shadow (pixels darkened, labels untouched), then each node lit, then — if it is out
 * of focus — a blur of its own pixels over what lies beneath. Labels always get the exact
 * rasterized silhouettes, so masks never include shadow or blur fringes.
 */
export function drawStudioObject(ctx: DrawContext, root: StudioNode, look: ObjectLook): void {
  const flat: { node: StudioNode; parent: number }[] = [];
  const visit = (node: StudioNode, parent: number): void => {
    const index = flat.length;
    flat.push({ node, parent });
    for (const child of node.children) visit(child, index);
  };
  visit(root, -1);

  const { canvas } = ctx;
  const region = boundsOf(
    flat.map((f) => f.node.shape),
    canvas.width,
    canvas.height,
  );
  const rasters: NodeRaster[] = flat.map(({ node }) => ({
    spans: region === null ? { data: new Int32Array(0), count: 0 } : rasterizeIn(node.shape, region),
    x0: region?.x0 ?? 0,
    y0: region?.y0 ?? 0,
  }));

  const labelOf: number[] = [];
  for (const { node, parent } of flat) {
    if (parent >= 0 && !ctx.hierarchies) {
      labelOf.push(labelOf[0]!);
      continue;
    }
    labelOf.push(ctx.nodes.length);
    ctx.nodes.push({ kind: node.kind, level: node.level, parent: parent < 0 ? -1 : labelOf[parent]! });
  }
  if (region === null) return;

  if (ctx.effects.shadows) castShadow(canvas, rasters, region, look);
  const focus = ctx.effects.defocus && look.defocus > 0 ? beginDefocus(canvas, region, look.defocus) : null;
  flat.forEach(({ node }, i) => paintLitNode(canvas, node, rasters[i]!, ctx.light, ctx.noise, labelOf[i]!, look.gradient));
  if (focus !== null) endDefocus(canvas, focus, rasters, look.defocus);
}

/** Pixel bounds of the shapes, clipped to the frame plus FRAME_MARGIN; null when entirely outside it. */
function boundsOf(shapes: Shape[], width: number, height: number): Region | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const shape of shapes) {
    for (const ring of shape.rings) {
      for (let i = 0; i < ring.length; i += 2) {
        x0 = Math.min(x0, ring[i]!);
        x1 = Math.max(x1, ring[i]!);
        y0 = Math.min(y0, ring[i + 1]!);
        y1 = Math.max(y1, ring[i + 1]!);
      }
    }
  }
  const rx0 = Math.max(-FRAME_MARGIN, Math.floor(x0) - 1);
  const ry0 = Math.max(-FRAME_MARGIN, Math.floor(y0) - 1);
  const rx1 = Math.min(width + FRAME_MARGIN, Math.ceil(x1) + 1);
  const ry1 = Math.min(height + FRAME_MARGIN, Math.ceil(y1) + 1);
  if (rx1 <= 0 || ry1 <= 0 || rx0 >= width || ry0 >= height) return null;
  return { x0: rx0, y0: ry0, w: rx1 - rx0, h: ry1 - ry0 };
}

/** Rasterizes in region coordinates (integer shift, so pixel-centre sampling is unchanged). */
function rasterizeIn(shape: Shape, region: Region): NodeRaster['spans'] {
  const rings = shape.rings.map((ring) => ring.map((v, i) => v - (i % 2 === 0 ? region.x0 : region.y0)));
  return rasterizeShape({ rings }, region.w, region.h);
}

interface Defocus {
  /** Canvas rectangle (clipped to the frame) and what it held before the object was painted. */
  x0: number;
  y0: number;
  w: number;
  h: number;
  before: Float32Array;
}

function beginDefocus(canvas: StudioCanvas, region: Region, radius: number): Defocus {
  const pad = 2 * Math.ceil(radius) + 1;
  const x0 = Math.max(0, region.x0 - pad);
  const y0 = Math.max(0, region.y0 - pad);
  const w = Math.min(canvas.width, region.x0 + region.w + pad) - x0;
  const h = Math.min(canvas.height, region.y0 + region.h + pad) - y0;
  const before = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const o = ((y + y0) * canvas.width + x0) * 3;
    before.set(canvas.rgb.subarray(o, o + w * 3), y * w * 3);
  }
  return { x0, y0, w, h, before };
}

/**
 * Blurs the object's own pixels (premultiplied by its coverage) and composites them over what
 * was beneath: out = blur(A·C) + (1 − blur(A))·before. The fringe bleeds out, the mask does not.
 */
function endDefocus(canvas: StudioCanvas, d: Defocus, rasters: NodeRaster[], radius: number): void {
  const { width, rgb } = canvas;
  const layer = new Float32Array(d.w * d.h * 4);
  for (const r of rasters) {
    const { data, count } = r.spans;
    for (let k = 0; k < count; k++) {
      const y = data[3 * k]! + r.y0 - d.y0;
      if (y < 0 || y >= d.h) continue;
      const xa = Math.max(0, data[3 * k + 1]! + r.x0 - d.x0);
      const xb = Math.min(d.w, data[3 * k + 2]! + r.x0 - d.x0);
      for (let x = xa; x < xb; x++) {
        const o = ((y + d.y0) * width + x + d.x0) * 3;
        const l = (y * d.w + x) * 4;
        layer[l] = rgb[o]!;
        layer[l + 1] = rgb[o + 1]!;
        layer[l + 2] = rgb[o + 2]!;
        layer[l + 3] = 1;
      }
    }
  }
  boxBlur(layer, d.w, d.h, 4, radius, 2);
  for (let y = 0; y < d.h; y++) {
    for (let x = 0; x < d.w; x++) {
      const l = (y * d.w + x) * 4;
      const a = layer[l + 3]!;
      if (a <= 0) continue;
      const o = ((y + d.y0) * width + x + d.x0) * 3;
      const b = (y * d.w + x) * 3;
      rgb[o] = layer[l]! + (1 - a) * d.before[b]!;
      rgb[o + 1] = layer[l + 1]! + (1 - a) * d.before[b + 1]!;
      rgb[o + 2] = layer[l + 2]! + (1 - a) * d.before[b + 2]!;
    }
  }
}
