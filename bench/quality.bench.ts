// Mask quality of a checkpoint bundle, measured the way an annotator meets it, through the product's
// own pipeline (SamPredictor over onnxruntime-node, the interactive decoder, SamAutomaticMaskGenerator):
//   (a) held-out scenes of the classic synthetic generator (the built-in model's training family,
//       seeds disjoint from its snapshot's), and
//   (b) scenes of the 'studio' family (libs/synth variant 'studio': lit, shaded, blurred, shadowed,
//       textured and cluttered), which the built-in model is never trained on.
// Per family, every object (wholes, parts, sub-parts; ≥ 16 px) gets the trainer's click protocol:
// the first click at the point farthest from its boundary, then at the centre of the largest error
// region (positive on a miss, negative on a spill), the previous low-res logits fed back; after one
// click the best of channels 1–3 by predicted IoU (SAM-SPEC §1.4), afterwards channel 0. Printed:
// mIoU after 1..5 clicks, objects ≥ 0.85 after 1 click, whether each of clicks 2–5 raises the mean,
// the object's tight box as the only prompt, how often the top-ranked candidate is the best of the
// three, the calibration error of the returned mask's predicted IoU, and automatic generation with
// the `sam-default` preset unchanged (precision: kept masks matching an annotation — object or part
// — at IoU ≥ 0.8; recall: whole objects matched at IoU ≥ 0.8). Then the latency figures
// (trainer/scripts/bench_interactive.ts and bench_latency.mjs; the browser figure is
// `npm run bench:browser`, which needs the whole stack).
// Run: npm run bench:quality -- [--checkpoint DIR] [--images 40] [--amg-images 8] [--size 512x384]
//        [--seed-a 900000] [--seed-b 950000] [--threads 2] [--no-latency] [--json FILE]
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BinaryMask,
  EVAL_MIN_OBJECT_AREA,
  exclusiveBox,
  farthestFromBoundary,
  type ImageEmbedding,
  maskIou,
  nextClick,
  PredictorAmgModel,
  SamAutomaticMaskGenerator,
  type SamPredictor,
  type SamPrompt,
} from '@dataengine/segment';
import { closeAllBundles, openBundle } from '@dataengine/segment/node';
import { generateScene } from '@dataengine/synth';

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: 'models/default' },
    images: { type: 'string', default: '40' },
    'amg-images': { type: 'string', default: '8' },
    size: { type: 'string', default: '512x384' },
    'seed-a': { type: 'string', default: '900000' },
    'seed-b': { type: 'string', default: '950000' },
    threads: { type: 'string', default: '2' },
    'no-latency': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const dir = resolve(values.checkpoint);
if (!existsSync(resolve(dir, 'manifest.json'))) {
  console.error(`bench:quality: no checkpoint bundle at ${dir} (pass --checkpoint DIR)`);
  process.exit(1);
}
const [W, H] = values.size.split('x').map(Number) as [number, number];
const numbers = { images: Number(values.images), amgImages: Number(values['amg-images']), seedA: Number(values['seed-a']), seedB: Number(values['seed-b']), threads: Number(values.threads) };
for (const [name, v] of [...Object.entries(numbers), ['width', W], ['height', H]] as const) {
  if (!Number.isInteger(v) || v < 0) {
    console.error(`bench:quality: ${name} must be a non-negative integer, got ${v}`);
    process.exit(2);
  }
}

const MIN_AREA = EVAL_MIN_OBJECT_AREA;
const CLICKS = 5;
const GOOD_IOU = 0.85;
const AMG_MATCH_IOU = 0.8;
type Variant = 'classic' | 'studio';
interface Scene {
  image: { width: number; height: number; channels: 3; data: Uint8Array };
  objects: { mask: BinaryMask; whole: boolean }[];
}
function scene(variant: Variant, seed: number): Scene {
  const s = generateScene({ seed, width: W, height: H, variant });
  return { image: { width: W, height: H, channels: 3, data: s.rgb }, objects: s.instances.filter((i) => i.area >= MIN_AREA).map((i) => ({ mask: i.mask, whole: i.level === 'whole' })) };
}

interface ObjectRun {
  whole: boolean;
  ious: number[];
  /** Predicted IoU of the returned mask after each click. */
  predicted: number[];
  topRanked: boolean;
  boxIou: number;
  boxPredicted: number;
}

/** The click protocol for one object; the first click decodes the three candidates to see their ranking. */
async function runObject(predictor: SamPredictor, embedding: ImageEmbedding, gt: BinaryMask, whole: boolean): Promise<ObjectRun> {
  const points: { x: number; y: number; label: 0 | 1 }[] = [];
  const ious: number[] = [];
  const predicted: number[] = [];
  let pred: BinaryMask | null = null;
  let lowRes: Float32Array | null = null;
  let topRanked = false;
  for (let k = 0; k < CLICKS; k++) {
    const click = nextClick(gt, pred);
    if (click === null) {
      ious.push(ious[ious.length - 1]!); // exact already: nothing left to click
      predicted.push(predicted[predicted.length - 1]!);
      continue;
    }
    points.push({ x: click.x, y: click.y, label: click.positive ? 1 : 0 });
    const prompt: SamPrompt = { points: [...points], maskInput: lowRes };
    if (k === 0) {
      const { masks } = await predictor.decode(embedding, prompt, { multimask: true });
      const truth = masks.map((m) => maskIou(gt, m.mask));
      const chosen = masks.reduce((best, m, i) => (m.predictedIou > masks[best]!.predictedIou ? i : best), 0);
      topRanked = truth[chosen]! >= Math.max(...truth) - 1e-9;
      pred = masks[chosen]!.mask;
      lowRes = masks[chosen]!.lowResLogits;
      predicted.push(masks[chosen]!.predictedIou);
    } else {
      const { masks } = await predictor.decode(embedding, prompt, { multimask: false });
      pred = masks[0]!.mask;
      lowRes = masks[0]!.lowResLogits;
      predicted.push(masks[0]!.predictedIou);
    }
    ious.push(maskIou(gt, pred));
  }
  const box = exclusiveBox(gt)!; // objects are ≥ 16 px, so never empty
  const { masks } = await predictor.decode(embedding, { box }, { multimask: false });
  return { whole, ious, predicted, topRanked, boxIou: maskIou(gt, masks[0]!.mask), boxPredicted: masks[0]!.predictedIou };
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

interface FamilyResult {
  images: number;
  objects: number;
  miouAt: number[];
  /** Whole objects only (roots of the part tree): mIoU after 1 and 5 clicks, and how many. */
  wholes: { objects: number; miou1: number; miou5: number };
  good1: number;
  eachClickRaises: boolean;
  clickLowered: number[];
  miouBox: number;
  topRanked: number;
  calibrationMae1: number;
  /** Mean predicted − true IoU of the returned mask after 1 click (> 0: the score promises too much). */
  calibrationBias1: number;
  calibrationMaeAll: number;
  amg: { images: number; kept: number; keptPerImage: number; precision: number; wholeObjects: number; recall: number; msPerImage: number };
}

async function family(predictor: SamPredictor, variant: Variant, seed0: number): Promise<FamilyResult> {
  const runs: ObjectRun[] = [];
  for (let i = 0; i < numbers.images; i++) {
    const s = scene(variant, seed0 + i);
    const embedding = await predictor.embedImage(s.image);
    for (const o of s.objects) {
      if (farthestFromBoundary(o.mask) === null) continue;
      runs.push(await runObject(predictor, embedding, o.mask, o.whole));
    }
    if ((i + 1) % 10 === 0 || i + 1 === numbers.images) process.stderr.write(`  (${variant}) ${i + 1}/${numbers.images} images, ${runs.length} objects\n`);
  }
  const miouAt = Array.from({ length: CLICKS }, (_, k) => mean(runs.map((r) => r.ious[k]!)));
  const clickLowered = Array.from({ length: CLICKS - 1 }, (_, k) => mean(runs.map((r) => (r.ious[k + 1]! < r.ious[k]! - 0.01 ? 1 : 0))));
  const errs1 = runs.map((r) => Math.abs(r.predicted[0]! - r.ious[0]!));
  const errsAll = runs.flatMap((r) => [...r.predicted.map((p, k) => Math.abs(p - r.ious[k]!)), Math.abs(r.boxPredicted - r.boxIou)]);
  return {
    images: numbers.images,
    objects: runs.length,
    miouAt,
    wholes: (() => {
      const w = runs.filter((r) => r.whole);
      return { objects: w.length, miou1: mean(w.map((r) => r.ious[0]!)), miou5: mean(w.map((r) => r.ious[CLICKS - 1]!)) };
    })(),
    good1: mean(runs.map((r) => (r.ious[0]! >= GOOD_IOU ? 1 : 0))),
    eachClickRaises: miouAt.every((v, k) => k === 0 || v > miouAt[k - 1]!),
    clickLowered,
    miouBox: mean(runs.map((r) => r.boxIou)),
    topRanked: mean(runs.map((r) => (r.topRanked ? 1 : 0))),
    calibrationMae1: mean(errs1),
    calibrationBias1: mean(runs.map((r) => r.predicted[0]! - r.ious[0]!)),
    calibrationMaeAll: mean(errsAll),
    amg: await amg(predictor, variant, seed0),
  };
}

/** Automatic generation with the `sam-default` preset, unchanged. */
async function amg(predictor: SamPredictor, variant: Variant, seed0: number): Promise<FamilyResult['amg']> {
  const generator = new SamAutomaticMaskGenerator(new PredictorAmgModel(predictor), { outputMode: 'binary_mask' }, 'sam-default');
  let kept = 0, matched = 0, wholes = 0, found = 0, ms = 0;
  for (let i = 0; i < numbers.amgImages; i++) {
    const s = scene(variant, seed0 + i);
    const t0 = performance.now();
    const records = await generator.generate(s.image);
    ms += performance.now() - t0;
    const masks = records.map((r) => r.segmentation as BinaryMask);
    kept += masks.length;
    for (const m of masks) if (s.objects.some((o) => maskIou(o.mask, m) >= AMG_MATCH_IOU)) matched++;
    for (const o of s.objects) {
      if (!o.whole) continue;
      wholes++;
      if (masks.some((m) => maskIou(o.mask, m) >= AMG_MATCH_IOU)) found++;
    }
  }
  return { images: numbers.amgImages, kept, keptPerImage: kept / Math.max(1, numbers.amgImages), precision: kept ? matched / kept : NaN, wholeObjects: wholes, recall: wholes ? found / wholes : NaN, msPerImage: ms / Math.max(1, numbers.amgImages) };
}

function latency(): Record<string, number> {
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}');
  const interactive = lastJson(execFileSync('npx', ['tsx', 'trainer/scripts/bench_interactive.ts', dir, '--threads', '1', '--repeat', '60'], { env, encoding: 'utf8' }));
  const encoder = lastJson(execFileSync('node', ['trainer/scripts/bench_latency.mjs', dir, '--threads', '2', '--repeat', '20'], { env, encoding: 'utf8' }));
  const pick = (o: Record<string, unknown>, ...path: string[]): number => Number(path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o));
  return {
    firstClickMs: pick(interactive, 'first_click', 'median_ms'),
    refineClickMs: pick(interactive, 'refine_click', 'median_ms'),
    encoderMs: pick(encoder, 'encoder', 'median_ms'),
  };
}

const open = await openBundle(dir, { intraOpNumThreads: numbers.threads });
process.stderr.write(`bench:quality: ${open.manifest.name} (${dir}), ${numbers.images} scenes ${W}x${H} per family, AMG on ${numbers.amgImages}\n`);
const a = await family(open.predictor, 'classic', numbers.seedA);
const b = await family(open.predictor, 'studio', numbers.seedB);
await closeAllBundles();
const lat = values['no-latency'] ? null : latency();

const f = (v: number, d = 3): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(d));
const pc = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${(100 * v).toFixed(1)} %`);
const row = (name: string, va: string, vb: string, target: string): string => `| ${name} | ${va} | ${vb} | ${target} |`;
const lines = [
  `bundle ${open.manifest.name}; (a) classic seeds ${numbers.seedA}.., ${a.objects} objects; (b) studio seeds ${numbers.seedB}.., ${b.objects} objects; ${W}x${H}`,
  '',
  '| figure | (a) classic | (b) studio | target |',
  '|---|---|---|---|',
  row('mIoU after 1 click', f(a.miouAt[0]!), f(b.miouAt[0]!), '(a) ≥ 0.72, (b) ≥ 0.65'),
  row('whole objects only: mIoU after 1 / 5 clicks', `${f(a.wholes.miou1)} / ${f(a.wholes.miou5)} (${a.wholes.objects})`, `${f(b.wholes.miou1)} / ${f(b.wholes.miou5)} (${b.wholes.objects})`, '—'),
  row('objects with IoU ≥ 0.85 after 1 click', pc(a.good1), pc(b.good1), '(a) ≥ 50 %'),
  row('mIoU after 2 / 3 / 4 / 5 clicks', a.miouAt.slice(1).map((v) => f(v)).join(' / '), b.miouAt.slice(1).map((v) => f(v)).join(' / '), '(a) @3 ≥ 0.85, @5 ≥ 0.90'),
  row('each of clicks 2–5 raises the mean IoU', a.eachClickRaises ? 'yes' : 'NO', b.eachClickRaises ? 'yes' : 'NO', 'yes'),
  row('objects a click 2 / 3 / 4 / 5 made worse (> 0.01)', a.clickLowered.map(pc).join(' / '), b.clickLowered.map(pc).join(' / '), '—'),
  row('box prompt mIoU', f(a.miouBox), f(b.miouBox), '(a) ≥ 0.85'),
  row('top-ranked candidate is the best of the three (1 click)', pc(a.topRanked), pc(b.topRanked), '≥ 75 %'),
  row('mean |predicted − true IoU|, returned mask, 1 click', f(a.calibrationMae1), f(b.calibrationMae1), '≤ 0.08'),
  row('mean predicted − true IoU, returned mask, 1 click (bias)', f(a.calibrationBias1), f(b.calibrationBias1), '—'),
  row('mean |predicted − true IoU|, every click and box', f(a.calibrationMaeAll), f(b.calibrationMaeAll), '—'),
  row('autogen sam-default: kept masks per image', f(a.amg.keptPerImage, 1), f(b.amg.keptPerImage, 1), '—'),
  row('autogen sam-default: kept masks matching an object or part (IoU ≥ 0.8)', pc(a.amg.precision), pc(b.amg.precision), '≥ 70 %'),
  row('autogen sam-default: whole objects found (IoU ≥ 0.8)', pc(a.amg.recall), pc(b.amg.recall), '≥ 60 %'),
  row('autogen time per image', `${f(a.amg.msPerImage / 1000, 1)} s`, `${f(b.amg.msPerImage / 1000, 1)} s`, '—'),
];
if (lat) {
  lines.push('', '| latency | measured | target |', '|---|---|---|');
  lines.push(`| first click → mask, onnxruntime-node, 1 thread (bench_interactive, 1024x768) | ${f(lat.firstClickMs!, 2)} ms | ≤ 8 ms |`);
  lines.push(`| refinement click, 1 thread | ${f(lat.refineClickMs!, 2)} ms | — |`);
  lines.push(`| encoder 1024x768, 2 threads (bench_latency) | ${f(lat.encoderMs!, 2)} ms | < 60 ms |`);
  lines.push('| browser click, pointer resting first, p50 | `npm run bench:browser` | ≤ 15 ms |');
}
console.log(lines.join('\n'));
if (values.json) writeFileSync(values.json, `${JSON.stringify({ bundle: open.manifest.name, dir, size: [W, H], classic: a, studio: b, latency: lat }, null, 2)}\n`);
