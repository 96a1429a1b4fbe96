// Click → mask latency of a bundle's decoder on the path the product takes for a click
// (`SamPredictor.decode` through the interactive graphs derived from `decoder.onnx`: the prelude
// once per image, then per click the prompt graph, the chosen channel upscaled to the image and
// binarised), and the first click's prompt graph alone (low-res outputs, no upscaling). Prints
// one JSON line for the model card.
//
// The clicks land where an annotator's would: at the farthest-from-boundary point of each object of
// a `libs/synth` scene (seed 900000, the quality benchmark's first held-out scene), on the embedding
// the bundle's own encoder computes. `--stand-in` times a synthetic embedding instead (a sine over
// the flat index; what this script measured before): its masks are fragmented into hundreds of
// pieces, so upscaling the chosen channel costs several times what a real object's mask costs.
// Usage: npx tsx trainer/scripts/bench_interactive.ts <bundle-dir> [--threads 1] [--repeat 60] [--width 1024 --height 768] [--stand-in]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EVAL_MIN_OBJECT_AREA, farthestFromBoundary, SamPredictor, type ImageEmbedding, type SamPrompt } from '@dataengine/segment';
import { OrtNodeBackend } from '@dataengine/segment/node';
import { generateScene } from '@dataengine/synth';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    threads: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '60' },
    width: { type: 'string', default: '1024' },
    height: { type: 'string', default: '768' },
    'stand-in': { type: 'boolean', default: false },
  },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: bench_interactive.ts <bundle-dir> [--threads N] [--repeat N] [--width W --height H] [--stand-in]');
const [threads, repeat, width, height] = [values.threads, values.repeat, values.width, values.height].map(Number) as [number, number, number, number];
const standIn = values['stand-in'];
const SCENE_SEED = 900000;

const stats = (xs: number[]) => {
  const t = [...xs].sort((a, b) => a - b);
  const at = (q: number) => +t[Math.min(t.length - 1, Math.floor(t.length * q))]!.toFixed(2);
  return { median_ms: at(0.5), p90_ms: at(0.9), min_ms: +t[0]!.toFixed(2) };
};

const backend = new OrtNodeBackend({ decoder: join(dir, 'decoder.onnx'), ...(standIn ? {} : { encoder: join(dir, 'encoder.onnx') }) }, { intraOpNumThreads: threads, promptIntraOpNumThreads: threads });
const predictor = new SamPredictor(backend);
await predictor.warmUp();
if (!predictor.usesInteractiveDecoder) throw new Error(`the interactive decoder could not be derived: ${predictor.interactiveProblem}`);
let embedding: ImageEmbedding;
let targets: { x: number; y: number }[];
if (standIn) {
  const data = new Float32Array(256 * 64 * 64).map((_, i) => Math.sin(i * 0.37) * 0.5);
  embedding = { tensor: { data, dims: [1, 256, 64, 64] }, imageHeight: height, imageWidth: width };
  targets = Array.from({ length: 10 }, (_, k) => ({ x: width * (0.3 + 0.04 * ((k * 7) % 10)), y: height * 0.5 }));
} else {
  const scene = generateScene({ seed: SCENE_SEED, width, height });
  embedding = await predictor.embedImage({ width, height, channels: 3, data: scene.rgb });
  targets = scene.instances
    .filter((i) => i.area >= EVAL_MIN_OBJECT_AREA)
    .flatMap((i) => {
      const p = farthestFromBoundary(i.mask);
      return p ? [{ x: p.x, y: p.y }] : [];
    });
  if (targets.length === 0) throw new Error(`scene ${SCENE_SEED} has no object to click`);
}
const t0 = performance.now();
await predictor.prelude(embedding);
const preludeMs = performance.now() - t0;
const first: number[] = [];
const refine: number[] = [];
const graph: number[] = [];
for (let i = 0; i < repeat + 5; i++) {
  const target = targets[i % targets.length]!;
  const click: SamPrompt = { points: [{ x: target.x, y: target.y, label: 1 }] };
  let t = performance.now();
  const a = await predictor.decode(embedding, click);
  const f = performance.now() - t;
  const refined: SamPrompt = { points: [...click.points!, { x: width * 0.5, y: height * 0.3, label: 0 }], maskInput: a.masks[0]!.lowResLogits };
  t = performance.now();
  await predictor.decode(embedding, refined);
  const r = performance.now() - t;
  t = performance.now();
  await predictor.decodeLowRes(embedding, click); // the prompt graph alone: no upscaling
  const g = performance.now() - t;
  if (i >= 5) {
    first.push(f);
    refine.push(r);
    graph.push(g);
  }
}
await backend.dispose();
const input = standIn ? 'stand-in embedding' : `synth scene ${SCENE_SEED}, ${targets.length} objects clicked in turn`;
console.log(JSON.stringify({ threads, width, height, repeat, input, prelude_ms: +preludeMs.toFixed(2), first_click: stats(first), refine_click: stats(refine), first_click_graph_only: stats(graph) }));
