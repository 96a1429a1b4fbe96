// Evaluates a checkpoint bundle on synthetic held-out scenes: interactive mIoU@1/@3/@5 and
// NoC@85/@90 (simulated clicks, SAM protocol), and box AP@0.5 when the bundle has a detector.
// Thin wrapper over `evaluateBundle` (@dataengine/segment); checkpoint promotion calls the same code.
// Run: npx tsx bench/eval-interactive.ts [--checkpoint DIR] [--images N] [--seed S] [--size 512x384]
//        [--max-clicks N] [--threads N] [--prompt-threads N] [--json]
// Scene seeds are S, S+1, … (default 900000): disjoint from the training snapshot's derived seeds.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { boxDetectorConfig, detectBoxes, EVAL_DETECTOR_SCORE_THRESHOLD, evaluateBundle, type EvalScene } from '@dataengine/segment';
import { closeAllBundles, openBundle, PROMPT_GRAPH_THREADS } from '@dataengine/segment/node';
import { generateScene } from '@dataengine/synth';

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: 'models/default' },
    images: { type: 'string', default: '20' },
    seed: { type: 'string', default: '900000' },
    size: { type: 'string', default: '512x384' },
    'max-clicks': { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    'prompt-threads': { type: 'string', default: String(PROMPT_GRAPH_THREADS) },
    json: { type: 'boolean', default: false },
  },
});
const dir = resolve(values.checkpoint);
if (!existsSync(resolve(dir, 'manifest.json'))) {
  console.error(`eval-interactive: no checkpoint bundle at ${dir} (pass --checkpoint DIR)`);
  process.exit(1);
}
const images = Number(values.images);
const seed = Number(values.seed);
const [width, height] = values.size.split('x').map(Number) as [number, number];
const maxClicks = Number(values['max-clicks']);
for (const [name, v] of [['--images', images], ['--seed', seed], ['--size', width], ['--size', height], ['--max-clicks', maxClicks], ['--threads', Number(values.threads)], ['--prompt-threads', Number(values['prompt-threads'])]] as const) {
  if (!Number.isInteger(v) || v < (name === '--seed' ? 0 : 1)) {
    console.error(`eval-interactive: ${name} must be a positive integer`);
    process.exit(2);
  }
}

function* heldOutScenes(): Generator<EvalScene> {
  for (let i = 0; i < images; i++) {
    const scene = generateScene({ seed: seed + i, width, height });
    yield {
      id: seed + i,
      image: { width, height, channels: 3, data: scene.rgb },
      objects: scene.instances.map((inst) => ({ mask: inst.mask, whole: inst.level === 'whole' })),
    };
  }
}

const open = await openBundle(dir, { intraOpNumThreads: Number(values.threads), promptIntraOpNumThreads: Number(values['prompt-threads']) });
const detector = boxDetectorConfig(open.manifest);
const log = (s: string): boolean => process.stderr.write(`${s}\n`);
log(`eval-interactive: ${open.manifest.name} (${dir}) on ${images} synthetic ${width}x${height} scenes, seeds ${seed}..${seed + images - 1}${detector ? ', with detector' : ''}`);
const result = await evaluateBundle(open.predictor, heldOutScenes(), {
  maxClicks,
  ...(detector ? { detect: (e) => detectBoxes(open.backend, detector, e, { scoreThreshold: EVAL_DETECTOR_SCORE_THRESHOLD }) } : {}),
  onScene: (done) => {
    if (done % 5 === 0 || done === images) log(`  ${done}/${images} images`);
  },
});
await closeAllBundles();

const f = (v: number | null, d = 3): string => (v === null ? 'n/a (no detector)' : Number.isNaN(v) ? 'n/a' : v.toFixed(d));
if (values.json) {
  console.log(JSON.stringify({ checkpoint: open.manifest.name, dir, seeds: [seed, seed + images - 1], size: [width, height], ...result }));
} else {
  console.log(`images ${result.images}, objects ${result.objects} (whole ${result.wholeObjects}), ${result.msPerImage.toFixed(0)} ms/image`);
  console.log(`mIoU@1 ${f(result.miouAt[1]!)}  mIoU@3 ${f(result.miouAt[3]!)}  mIoU@5 ${f(result.miouAt[5]!)}`);
  console.log(`NoC@85 ${f(result.noc85, 2)}  NoC@90 ${f(result.noc90, 2)}  (cap ${maxClicks})`);
  console.log(`box AP@0.5 ${f(result.boxAp50)}  (${result.detections} detections, COCO 101-point)`);
}
