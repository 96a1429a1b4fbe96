// The simulated annotator: works through its task queue with real leases, loads what the web tool
// loads (the image's stored embedding, the active checkpoint's decoder) and clicks like the SAM
// paper's interactive protocol (§7.1: first click farthest from the boundary, each next one at the
// centre of the largest error region, the previous low-res logits fed back) until the mask reaches
// the target IoU or the click budget, then touches the mask up with brush and eraser (touch-up.ts).
// Small objects are segmented as the tool's focus view does it: zoomed in, on the region's own
// embedding (focusSegmenter), with the same move to the whole image when a mask reaches its edge.
// Masks are saved and images submitted through the use cases.
import type { TaskDto } from '@dataengine/contracts';
import {
  compressRle,
  decodeRle,
  encodeMask,
  exclusiveBox,
  float16ToFloat32,
  focusRegion,
  focusSegmenter,
  maskArea,
  maskIou,
  predictorSegmenter,
  rleIou,
  simulateClicks,
  sliceImage,
  zoomWindow,
  type BinaryMask,
  type Click,
  type ImageEmbedding,
  type InteractiveSegmenter,
  type RgbImage,
  type SamPredictor,
} from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import type { Actor } from '../access/actor';
import { checkpointDir } from '../checkpoints/checkpoint-registry';
import { lookupEmbedding } from '../embeddings/embedding-access';
import type { EngineDeps } from '../engine-deps';
import { deleteMask, listMasks, saveMask } from '../masks/masks';
import { loadImagePixels, loadStageImage } from '../stages/stage-inputs';
import { requestNextTask, submitTask } from '../tasks/task-queue';
import { modelledMaskSeconds, type SimulationOptions, type SimulatedStage } from './simulation-options';
import type { GroundTruthObject, SimulationScene } from './simulation-scenes';
import { pollUntil, SimulationError } from './simulation-waits';
import { touchUpMask } from './touch-up';

/** One mask the simulated annotator ended up with on an image (saved by it, or a pre-filled one it kept). */
export interface SimulatedMask {
  stage: SimulatedStage;
  round: number;
  imageId: number;
  instanceId: number;
  maskId: string;
  provenance: 'manual' | 'prefill';
  /** IoU of the saved mask with its ground-truth object. */
  iou: number;
  /** IoU of the model's mask before the touch-up (what a better checkpoint raises); = iou without touch-up. */
  modelIou: number;
  clicks: number;
  /** Brush/eraser strokes of the touch-up (error regions corrected). */
  strokes: number;
  /** Modelled time: clicks and touch-up. */
  activeMs: number;
  touchUpMs: number;
  checkpointId: string | null;
  /** Whether the model's mask reached the target IoU within the click budget. */
  reachedTarget: boolean;
  /** A small object zoomed in on: made in the focus view's region, or moved to the whole image; null when not zoomed. */
  focus: 'region' | 'whole-image' | null;
}

export interface AnnotatedImage {
  imageId: number;
  taskActiveMs: number;
  masks: SimulatedMask[];
  /** Objects the annotator clicked on but got no usable (non-empty) mask for. */
  abandoned: number;
  prefillReviewed: number;
  prefillDeleted: number;
}

export interface AnnotatorContext {
  deps: EngineDeps;
  options: SimulationOptions;
  scenes: ReadonlyMap<number, SimulationScene>;
  signal?: AbortSignal;
}

interface OpenedImage {
  checkpointId: string;
  predictor: SamPredictor;
  embedding: ImageEmbedding;
  /** The image's pixels as the browser has them, for focus views (loaded on the first one). */
  pixels(): Promise<RgbImage>;
}

/** What the annotation tool does on opening an image: fetch its embedding (waiting for the embed job) and the decoder. */
async function openImage(ctx: AnnotatorContext, actor: Actor, imageId: number): Promise<OpenedImage> {
  const { deps } = ctx;
  const ready = await pollUntil(
    `the embedding of image ${imageId}`,
    async () => {
      const lookup = await lookupEmbedding(deps, actor, { imageId });
      return lookup.state === 'ready' ? lookup : null;
    },
    { timeoutMs: ctx.options.waitTimeoutMs, signal: ctx.signal, intervalMs: 200 },
  );
  const checkpoint = await deps.db.checkpoint.findUniqueOrThrow({ where: { id: ready.checkpointId } });
  const { predictor } = await openBundle(await checkpointDir(deps, checkpoint));
  const bytes = await deps.blobs.get(ready.blobKey);
  // copy: a Buffer's offset need not be 2-byte aligned
  const half = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const embedding: ImageEmbedding = { tensor: { data: float16ToFloat32(half), dims: ready.shape }, imageHeight: ready.image.height, imageWidth: ready.image.width };
  let pixels: Promise<RgbImage> | null = null;
  const loadPixels = () => (pixels ??= loadStageImage(deps, imageId).then((image) => loadImagePixels(deps, image)));
  return { checkpointId: checkpoint.id, predictor, embedding, pixels: loadPixels };
}

/**
 * The segmenter for an object: small objects (up to focusMaxArea) the annotator zooms in on, and the
 * tool's focus view then decides as it does in the browser (focusSegmenter); others the whole image.
 */
async function segmenterFor(opened: OpenedImage, gt: BinaryMask, options: SimulationOptions): Promise<InteractiveSegmenter<Float32Array> & { onWholeImage?(): boolean }> {
  const whole = predictorSegmenter(opened.predictor, opened.embedding);
  if (options.focusMaxArea <= 0) return whole;
  const box = exclusiveBox(gt);
  if (!box) return whole;
  if (maskArea(gt) > options.focusMaxArea) return whole; // the annotator zooms in on small objects
  const region = focusRegion(zoomWindow(box, gt.width, gt.height), gt.width, gt.height);
  if (!region) return whole;
  const regional = await opened.predictor.embedImage(sliceImage(await opened.pixels(), [region.x0, region.y0, region.x0 + region.width, region.y0 + region.height]));
  return focusSegmenter(opened.predictor, opened.embedding, region, regional);
}

interface ClickSession {
  /** The best mask of the session (the tool's undo gets back to it), null when every prediction was empty. */
  mask: BinaryMask | null;
  iou: number;
  clicks: Click[];
  focus: SimulatedMask['focus'];
}

/** Clicks on one object until the target IoU or the click budget. */
async function clickObject(opened: OpenedImage, gt: BinaryMask, options: SimulationOptions): Promise<ClickSession> {
  const model = await segmenterFor(opened, gt, options);
  let best: { mask: BinaryMask; iou: number } | null = null;
  const tracked: InteractiveSegmenter<Float32Array> = {
    async predict(clicks, previous) {
      const out = await model.predict(clicks, previous);
      const iou = maskIou(gt, out.mask);
      if (best === null || iou > best.iou) best = { mask: out.mask, iou };
      return out;
    },
  };
  const run = await simulateClicks(tracked, gt, options.maxClicks, (ious) => ious[ious.length - 1]! >= options.targetIou);
  const kept = best as { mask: BinaryMask; iou: number } | null;
  const empty = kept === null || !kept.mask.data.includes(1);
  const focus = model.onWholeImage ? (model.onWholeImage() ? 'whole-image' : 'region') : null;
  return { mask: empty ? null : kept.mask, iou: empty ? 0 : kept.iou, clicks: run.clicks, focus };
}

/** Segments the given objects with clicks and saves one manual mask per object. */
async function segmentObjects(
  ctx: AnnotatorContext,
  actor: Actor,
  opened: OpenedImage,
  imageId: number,
  objects: readonly GroundTruthObject[],
  where: { stage: SimulatedStage; round: number },
): Promise<{ masks: SimulatedMask[]; activeMs: number; abandoned: number }> {
  const masks: SimulatedMask[] = [];
  let activeMs = 0;
  let abandoned = 0;
  for (const object of objects) {
    if (ctx.signal?.aborted) throw new SimulationError('the simulation was stopped');
    const gt = decodeRle(object.rle);
    const session = await clickObject(opened, gt, ctx.options);
    const clickMs = Math.round(modelledMaskSeconds(ctx.options.time, session.clicks.length) * 1000);
    if (session.mask === null) {
      activeMs += clickMs;
      abandoned++;
      continue;
    }
    const { touchUpIou, time } = ctx.options;
    const touched = touchUpIou === null ? null : touchUpMask(gt, session.mask, touchUpIou, time);
    const touchUpMs = touched ? Math.round(touched.seconds * 1000) : 0;
    const ms = clickMs + touchUpMs;
    activeMs += ms;
    const saved = await saveMask(ctx.deps, actor, {
      imageId,
      segmentation: compressRle(encodeMask(touched?.mask ?? session.mask)),
      pointCoords: session.clicks.map((c) => [c.x, c.y] as [number, number]),
      activeMs: ms,
      clicks: session.clicks.length,
      checkpointId: opened.checkpointId,
      // the saved mask names the ground-truth object it was made for, so its IoU can be re-checked
      clientKey: `sim-${imageId}-obj-${object.instanceId}`,
    });
    masks.push({
      ...where,
      imageId,
      instanceId: object.instanceId,
      maskId: saved.id,
      provenance: 'manual',
      iou: touched?.iou ?? session.iou,
      modelIou: session.iou,
      clicks: session.clicks.length,
      strokes: touched?.regions ?? 0,
      activeMs: ms,
      touchUpMs,
      checkpointId: opened.checkpointId,
      reachedTarget: session.iou >= ctx.options.targetIou,
      focus: session.focus,
    });
  }
  return { masks, activeMs, abandoned };
}

function sceneOf(ctx: AnnotatorContext, task: TaskDto): SimulationScene {
  const scene = ctx.scenes.get(task.image.id);
  if (!scene) throw new SimulationError(`task ${task.id} is for image ${task.image.id}, which this simulation did not upload`);
  return scene;
}

/** Stage 1: every ground-truth object is segmented from scratch. */
export async function annotateAssistedManual(ctx: AnnotatorContext, actor: Actor, task: TaskDto, round: number): Promise<AnnotatedImage> {
  const scene = sceneOf(ctx, task);
  const opened = await openImage(ctx, actor, task.image.id);
  const done = await segmentObjects(ctx, actor, opened, task.image.id, scene.objects, { stage: 1, round });
  await submitTask(ctx.deps, actor, { taskId: task.id, activeMs: done.activeMs, emptyConfirmed: true }); // a simulated annotator that found nothing says so
  return { imageId: task.image.id, taskActiveMs: done.activeMs, masks: done.masks, abandoned: done.abandoned, prefillReviewed: 0, prefillDeleted: 0 };
}

/**
 * Stage 2: the pre-filled masks that match a ground-truth object (IoU ≥ target, each object
 * matched once, best pairs first) are kept, the others deleted; the objects still missing are
 * segmented with clicks as in stage 1.
 */
export async function annotateSemiAutomatic(ctx: AnnotatorContext, actor: Actor, task: TaskDto, round: number): Promise<AnnotatedImage> {
  const scene = sceneOf(ctx, task);
  const imageId = task.image.id;
  const prefill = (await listMasks(ctx.deps, actor, { imageId })).filter((m) => m.provenance === 'prefill');
  const pairs: { mask: number; object: number; iou: number }[] = [];
  prefill.forEach((m, mi) => {
    scene.objects.forEach((o, oi) => {
      const iou = rleIou(m.segmentation, o.rle);
      if (iou >= ctx.options.targetIou) pairs.push({ mask: mi, object: oi, iou });
    });
  });
  pairs.sort((a, b) => b.iou - a.iou);
  const keptMask = new Map<number, { object: number; iou: number }>();
  const covered = new Set<number>();
  for (const p of pairs) {
    if (keptMask.has(p.mask) || covered.has(p.object)) continue;
    keptMask.set(p.mask, { object: p.object, iou: p.iou });
    covered.add(p.object);
  }
  const masks: SimulatedMask[] = [];
  for (const [mi, m] of prefill.entries()) {
    const kept = keptMask.get(mi);
    if (kept) {
      masks.push({ stage: 2, round, imageId, instanceId: scene.objects[kept.object]!.instanceId, maskId: m.id, provenance: 'prefill', iou: kept.iou, modelIou: kept.iou, clicks: 0, strokes: 0, activeMs: 0, touchUpMs: 0, checkpointId: m.checkpointId, reachedTarget: true, focus: null });
    } else {
      await deleteMask(ctx.deps, actor, { maskId: m.id, version: m.version });
    }
  }
  const missing = scene.objects.filter((_, oi) => !covered.has(oi));
  const reviewMs = Math.round(prefill.length * ctx.options.time.secondsPerReview * 1000);
  let added = { masks: [] as SimulatedMask[], activeMs: 0, abandoned: 0 };
  if (missing.length > 0) added = await segmentObjects(ctx, actor, await openImage(ctx, actor, imageId), imageId, missing, { stage: 2, round });
  await submitTask(ctx.deps, actor, { taskId: task.id, activeMs: reviewMs + added.activeMs, emptyConfirmed: true });
  return {
    imageId,
    taskActiveMs: reviewMs + added.activeMs,
    masks: [...masks, ...added.masks],
    abandoned: added.abandoned,
    prefillReviewed: prefill.length,
    prefillDeleted: prefill.length - keptMask.size,
  };
}

/**
 * Several annotators work the project's current stage in parallel, each through its own leases,
 * until `quota` images are submitted or the queue is empty.
 */
export async function annotateQueue(
  ctx: AnnotatorContext,
  annotators: readonly Actor[],
  input: { projectId: string; quota: number; round: number; annotate: typeof annotateAssistedManual; onImage?: (image: AnnotatedImage, annotator: Actor) => void },
): Promise<AnnotatedImage[]> {
  let slots = input.quota;
  const done: AnnotatedImage[] = [];
  await Promise.all(
    annotators.map(async (actor) => {
      while (slots > 0) {
        slots--;
        const task = await requestNextTask(ctx.deps, actor, { projectId: input.projectId });
        if (!task) {
          slots = 0;
          return;
        }
        const image = await input.annotate(ctx, actor, task, input.round);
        done.push(image);
        input.onImage?.(image, actor);
      }
    }),
  );
  return done;
}
