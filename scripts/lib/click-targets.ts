// Where an annotator would click on a demo scene, and how good the mask that came back is: both
// from the scene's exact ground truth (generateScene's instances), never from the model.
import { farthestFromBoundary, maskIou, type BboxXywh, type BinaryMask } from '@dataengine/segment';
import type { Instance, Scene } from '@dataengine/synth';

export interface ClickTarget {
  instance: Instance;
  /** The object's pixel farthest from its boundary (image pixels). */
  x: number;
  y: number;
  /** Its distance to the nearest pixel outside the object. */
  depth: number;
}

/** Room kept between the boxes of the objects picked, so each mask reads on its own (image pixels). */
const OBJECT_GAP_PX = 8;

/**
 * The `count` largest whole objects (visible area) that lie apart — an object whose box comes
 * within OBJECT_GAP_PX of a bigger pick's is passed over, so no mask is drawn over another one —
 * each with its interior point farthest from the boundary. Falls back to overlapping objects
 * when the scene has too few apart.
 */
export function largestWholeObjects(scene: Scene, count: number): ClickTarget[] {
  const wholes = scene.instances.filter((i) => i.level === 'whole').sort((a, b) => b.area - a.area);
  const apart: Instance[] = [];
  for (const instance of wholes) if (apart.length < count && apart.every((p) => !boxesNear(p.bbox, instance.bbox, OBJECT_GAP_PX))) apart.push(instance);
  const picked = [...apart, ...wholes.filter((i) => !apart.includes(i))].slice(0, count);
  const targets: ClickTarget[] = [];
  for (const instance of picked) {
    const centre = farthestFromBoundary(instance.mask);
    if (centre) targets.push({ instance, x: centre.x, y: centre.y, depth: centre.distance });
  }
  return targets;
}

/** Whether two SAM-convention boxes ([x, y, w, h], inclusive extents) come within `gap` pixels. */
function boxesNear(a: BboxXywh, b: BboxXywh, gap: number): boolean {
  return a[0] - gap <= b[0] + b[2] && b[0] - gap <= a[0] + a[2] && a[1] - gap <= b[1] + b[3] && b[1] - gap <= a[1] + a[3];
}

export interface MaskScore {
  /** IoU with the clicked whole object. */
  iou: number;
  /** The ground-truth instance (the whole, or one of its parts under the click) the mask matches best. */
  bestMatch: { instance: Instance; iou: number };
}

/** Scores a mask made by a click on `target` against the clicked object and the parts under the click. */
export function scoreMask(scene: Scene, target: ClickTarget, mask: BinaryMask): MaskScore {
  const iou = maskIou(mask, target.instance.mask);
  let bestMatch = { instance: target.instance, iou };
  const at = target.y * scene.width + target.x;
  for (const instance of scene.instances) {
    if (instance === target.instance || instance.mask.data[at] !== 1) continue;
    const candidate = maskIou(mask, instance.mask);
    if (candidate > bestMatch.iou) bestMatch = { instance, iou: candidate };
  }
  return { iou, bestMatch };
}
