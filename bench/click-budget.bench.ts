// Where an annotator's clicks go: for each checkpoint bundle, the simulator's click protocol on
// held-out scenes (first click farthest from the boundary, then the centre of the largest error
// region, the previous low-res logits fed back, until IoU ≥ --target or --max-clicks), whole objects
// ≥ --min-area px, through the product's pipeline (SamPredictor over onnxruntime-node). Per object
// size it prints the clicks per mask, the share of objects that reach the target, the best IoU the
// clicks reach, and the mask-resolution ceiling: the object's own mask taken to the 256² low-res
// grid (area average), back through the contract's upscaling (SAM-SPEC.md §1.5) and thresholded —
// no model whose masks pass through that grid does better. Two other annotator habits are measured
// beside the protocol:
//   candidates — after the first click the annotator cycles the three ambiguity candidates (Tab in
//     the tool) when the top-ranked one misses the target: it stops at the first that reaches it,
//     else views all and settles on the best (2–4 presses), and refines that one;
//   zoom — objects up to --zoom-max-area px are segmented in the annotator tool's focus view: the
//     view zoomed to a window around the object (its box grown by --zoom-margin of its side on each
//     side, at least --zoom-min-side px), that region embedded on its own (one extra encoder pass per
//     object), the masks pasted back, and the whole image used instead once a mask runs into the
//     region's edge (focusSegmenter, as the tool does).
// Run: npm run bench:clicks -- [BUNDLE …] [--scenes studio|classic] [--images 20] [--seed 950000]
//        [--size 512x384] [--target 0.85] [--max-clicks 8] [--min-area 100]
//        [--zoom-max-area 1500] [--zoom-margin 1] [--zoom-min-side 128] [--zoom-max-frame-area 6000] [--json FILE]
// Default bundle: models/default. Studio seeds from 950000 are bench:retrain's and bench:quality's
// held-out scenes: never in a training snapshot here.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  exclusiveBox,
  FOCUS_MAX_FRAME_AREA,
  focusRegion,
  focusSegmenter,
  maskIou,
  nextClick,
  resizeLongestSide,
  SAM_IMAGE_SIZE,
  summarizeLowResChannel,
  type BinaryMask,
  type Click,
  type ImageEmbedding,
  type RgbImage,
  type SamPredictor,
  simulateClicks,
  sliceImage,
  zoomWindow,
} from '@dataengine/segment';
import { closeAllBundles, openBundle } from '@dataengine/segment/node';
import { generateScene, SCENE_VARIANTS, type SceneVariant } from '@dataengine/synth';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenes: { type: 'string', default: 'studio' },
    images: { type: 'string', default: '20' },
    seed: { type: 'string', default: '950000' },
    size: { type: 'string', default: '512x384' },
    target: { type: 'string', default: '0.85' },
    'max-clicks': { type: 'string', default: '8' },
    'min-area': { type: 'string', default: '100' },
    'zoom-max-area': { type: 'string', default: '1500' },
    'zoom-margin': { type: 'string', default: '1' },
    'zoom-min-side': { type: 'string', default: '128' },
    /** the focus view's size rule: the first whole-image mask's area in the 1024 frame up to which the region takes over */
    'zoom-max-frame-area': { type: 'string', default: String(FOCUS_MAX_FRAME_AREA) },
    json: { type: 'string' },
  },
});
const variant = values.scenes as SceneVariant;
if (!SCENE_VARIANTS.includes(variant)) throw new Error(`--scenes takes ${SCENE_VARIANTS.join(' or ')}, got "${values.scenes}"`);
const [W, H] = values.size!.split('x').map(Number) as [number, number];
const [images, seed, target, maxClicks, minArea, zoomMaxArea, zoomMargin, zoomMinSide, zoomMaxFrameArea] = [
  values.images, values.seed, values.target, values['max-clicks'], values['min-area'], values['zoom-max-area'], values['zoom-margin'], values['zoom-min-side'], values['zoom-max-frame-area'],
].map(Number) as [number, number, number, number, number, number, number, number, number];
for (const [name, v] of Object.entries({ images, seed, target, maxClicks, minArea, zoomMaxArea, zoomMargin, zoomMinSide, zoomMaxFrameArea, W, H })) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`click-budget: ${name} must be a number ≥ 0`);
}
const bundles = (positionals.length > 0 ? positionals : ['models/default']).map((d) => resolve(d));
const SIZE_BINS = [minArea, 300, 1000, 3000, Infinity];
const LOW_RES = 256;

interface Session {
  clicks: number;
  tabs: number;
  reached: boolean;
  best: number;
}

interface ObjectRow {
  area: number;
  ceiling: number;
  protocol: Session;
  candidates: Session;
  zoom: Session;
}

/** The object's mask at the low-res grid (area average over 4×4 samples per cell) − 0.5, upscaled as the contract does, thresholded. */
function resolutionCeiling(mask: BinaryMask): number {
  const g = resizeLongestSide(mask.height, mask.width, SAM_IMAGE_SIZE);
  const cell = SAM_IMAGE_SIZE / LOW_RES;
  const low = new Float32Array(LOW_RES * LOW_RES).fill(-0.5);
  for (let v = 0; v < LOW_RES; v++) {
    for (let u = 0; u < LOW_RES; u++) {
      let inside = 0;
      for (let j = 0; j < 4; j++) {
        for (let i = 0; i < 4; i++) {
          const fx = (u + (i + 0.5) / 4) * cell;
          const fy = (v + (j + 0.5) / 4) * cell;
          if (fx >= g.resizedWidth || fy >= g.resizedHeight) continue;
          const sx = Math.min(mask.width - 1, Math.floor((fx * mask.width) / g.resizedWidth));
          const sy = Math.min(mask.height - 1, Math.floor((fy * mask.height) / g.resizedHeight));
          inside += mask.data[sy * mask.width + sx]!;
        }
      }
      low[v * LOW_RES + u] = inside / 16 - 0.5;
    }
  }
  return maskIou(mask, summarizeLowResChannel(low, LOW_RES, mask.height, mask.width).mask);
}

/** Tab presses to settle on candidate `pick` (0 = top-ranked) when none reaches the target: view all, then come back round. */
const settleTabs = (pick: number): number => (pick === 2 ? 2 : pick === 0 ? 3 : 4);

/**
 * The click protocol on one object. `gt` is the object in the embedded frame (the image or a crop);
 * `score` turns a mask in that frame into its IoU with the object in the image.
 */
async function clickSession(predictor: SamPredictor, embedding: ImageEmbedding, gt: BinaryMask, score: (m: BinaryMask) => number, chooseCandidate: boolean): Promise<Session> {
  const clicks: Click[] = [];
  let previous: Float32Array | null = null;
  let pred: BinaryMask | null = null;
  let iou = 0;
  let best = 0;
  let tabs = 0;
  while (clicks.length < maxClicks) {
    const click = nextClick(gt, pred);
    if (click === null) break;
    clicks.push(click);
    const prompt = { points: clicks.map((c) => ({ x: c.x, y: c.y, label: c.positive ? 1 : 0 })), maskInput: previous };
    const ambiguous = clicks.length === 1 && chooseCandidate;
    const { masks } = await predictor.decode(embedding, prompt, { multimask: ambiguous });
    // the tool lists the candidates best-predicted first
    const ranked = [...masks].sort((a, b) => b.predictedIou - a.predictedIou);
    const ious = ranked.map((m) => score(m.mask));
    let pick = 0;
    if (ambiguous && ious[0]! < target) {
      const hit = ious.findIndex((v) => v >= target);
      pick = hit > 0 ? hit : ious.indexOf(Math.max(...ious));
      tabs = hit > 0 ? hit : settleTabs(pick);
    }
    pred = ranked[pick]!.mask;
    previous = ranked[pick]!.lowResLogits;
    iou = ious[pick]!;
    best = Math.max(best, iou);
    if (iou >= target) break;
  }
  return { clicks: clicks.length, tabs, reached: iou >= target, best };
}

/**
 * The zoom variant as the annotator tool runs it (its focus view): the view zoomed to the object's
 * window, that region embedded on its own, clicks decoded there and pasted back — and the whole
 * image instead once a mask runs into the region's edge.
 */
async function focusSession(predictor: SamPredictor, image: RgbImage, embedding: ImageEmbedding, gt: BinaryMask): Promise<Session | null> {
  const region = focusRegion(zoomWindow(exclusiveBox(gt)!, W, H, zoomMargin, zoomMinSide), W, H);
  if (!region) return null;
  const regional = await predictor.embedImage(sliceImage(image, [region.x0, region.y0, region.x0 + region.width, region.y0 + region.height]));
  const run = await simulateClicks(focusSegmenter(predictor, embedding, region, regional, { maxFrameArea: zoomMaxFrameArea }), gt, maxClicks, (ious) => ious[ious.length - 1]! >= target);
  const last = run.ious[run.ious.length - 1] ?? 0;
  return { clicks: run.clicks.length, tabs: 0, reached: last >= target, best: Math.max(0, ...run.ious) };
}

const scenes = Array.from({ length: images }, (_, i) => generateScene({ seed: seed + i, width: W, height: H, variant }));

async function measure(dir: string): Promise<{ name: string; objects: ObjectRow[] }> {
  const { predictor, manifest } = await openBundle(dir);
  const objects: ObjectRow[] = [];
  for (const scene of scenes) {
    const image: RgbImage = { width: W, height: H, channels: 3, data: scene.rgb };
    const embedding = await predictor.embedImage(image);
    for (const o of scene.instances.filter((x) => x.level === 'whole' && x.area >= minArea)) {
      const same = (m: BinaryMask): number => maskIou(o.mask, m);
      const protocol = await clickSession(predictor, embedding, o.mask, same, false);
      const candidates = await clickSession(predictor, embedding, o.mask, same, true);
      const zoom = (o.area <= zoomMaxArea && (await focusSession(predictor, image, embedding, o.mask))) || protocol;
      objects.push({ area: o.area, ceiling: resolutionCeiling(o.mask), protocol, candidates, zoom });
    }
  }
  return { name: manifest.name, objects };
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(100 * x)} %` : '–');

function row(label: string, rows: ObjectRow[]): string {
  const s = (k: 'protocol' | 'candidates' | 'zoom') => ({ clicks: mean(rows.map((r) => r[k].clicks)), reach: mean(rows.map((r) => +r[k].reached)) });
  const [p, c, z] = [s('protocol'), s('candidates'), s('zoom')];
  return [
    label.padEnd(14),
    String(rows.length).padStart(7),
    f(p.clicks).padStart(12),
    pct(p.reach).padStart(7),
    f(mean(rows.map((r) => r.protocol.best))).padStart(9),
    f(mean(rows.map((r) => r.ceiling))).padStart(9),
    pct(mean(rows.map((r) => +(r.ceiling >= target)))).padStart(11),
    `${f(c.clicks)} + ${f(mean(rows.map((r) => r.candidates.tabs)))} Tab`.padStart(18),
    pct(c.reach).padStart(7),
    f(z.clicks).padStart(12),
    pct(z.reach).padStart(7),
  ].join('  ');
}

console.log(`bench:clicks — ${images} ${variant} scenes ${W}×${H} (seeds ${seed}…), whole objects ≥ ${minArea} px, clicks until IoU ≥ ${target} or ${maxClicks} clicks; zoom: objects ≤ ${zoomMaxArea} px on their own crop`);
const results: { bundle: string; name: string; objects: ObjectRow[] }[] = [];
for (const dir of bundles) {
  const r = await measure(dir);
  results.push({ bundle: dir, ...r });
  console.log(`\n${r.name} (${dir})`);
  console.log(['object px'.padEnd(14), 'objects'.padStart(7), 'clicks/mask'.padStart(12), 'reach'.padStart(7), 'best IoU'.padStart(9), 'ceiling'.padStart(9), `ceiling≥${target}`.padStart(11), 'candidates'.padStart(18), 'reach'.padStart(7), 'zoom clicks'.padStart(12), 'reach'.padStart(7)].join('  '));
  for (let b = 0; b + 1 < SIZE_BINS.length; b++) {
    const [lo, hi] = [SIZE_BINS[b]!, SIZE_BINS[b + 1]!];
    const rows = r.objects.filter((o) => o.area >= lo && o.area < hi);
    if (rows.length > 0) console.log(row(hi === Infinity ? `≥ ${lo}` : `${lo}–${hi - 1}`, rows));
  }
  console.log(row('all', r.objects));
}
if (results.length > 1) {
  const base = mean(results[0]!.objects.map((o) => o.protocol.clicks));
  for (const r of results.slice(1)) {
    const change = (k: 'protocol' | 'candidates' | 'zoom', b: number) => `${f((100 * (mean(r.objects.map((o) => o[k].clicks)) - b)) / b, 1)} %`;
    console.log(`\n${r.name} against ${results[0]!.name}: clicks/mask ${change('protocol', base)} (protocol), ${change('zoom', mean(results[0]!.objects.map((o) => o.zoom.clicks)))} (both with zoom)`);
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ variant, images, seed, size: [W, H], target, maxClicks, minArea, zoom: { maxArea: zoomMaxArea, margin: zoomMargin, minSide: zoomMinSide }, results }, null, 2)}\n`);
await closeAllBundles();
