// Decoder call through the pipeline (prompt checks, feeds, session.run, mask selection, `> 0`
// binarisation, stability score, low-res copy) vs a bare `session.run` on the same feeds.
// Target: pipeline overhead < 10 % (issue 3). Then the interactive decode (what a click costs):
// `SamPredictor.decode` through the graphs derived from the same decoder (prelude cached per
// image, low-res outputs, the chosen channel upscaled in TypeScript).
// Run: npx tsx bench/decoder-overhead.bench.ts [more/decoder.onnx …]   (BENCH_ITERATIONS, BENCH_THREADS)
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildDecoderFeeds, resizeLongestSide, SamPredictor, type ImageEmbedding, type InferenceBackend, type SamPrompt } from '@dataengine/segment';
import { OrtNodeBackend } from '@dataengine/segment/node';
import { writeContractBundle } from '@dataengine/segment/testing';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 40);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const SIZES: [number, number][] = [
  [480, 640],
  [1000, 1500],
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bench(label: string, decoderPath: string, embeddingDims: number[]): Promise<void> {
  const backend = new OrtNodeBackend({ decoder: decoderPath }, { intraOpNumThreads: THREADS });
  // the same call split in two: time inside backend.run vs the rest of the pipeline (robust to load)
  let inRun = 0;
  const timed: InferenceBackend = {
    run: async (role, feeds, names) => {
      const t = performance.now();
      const out = await backend.run(role, feeds, names);
      inRun = performance.now() - t;
      return out;
    },
    dispose: () => backend.dispose(),
  };
  const predictor = new SamPredictor(timed, undefined, { interactive: false });
  const interactive = new SamPredictor(backend);
  const session = await backend.session('decoder');
  const data = new Float32Array(embeddingDims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i) * 0.1);
  for (const [h, w] of SIZES) {
    const embedding: ImageEmbedding = { tensor: { data, dims: embeddingDims }, imageHeight: h, imageWidth: w };
    const prompt: SamPrompt = { points: [{ x: w * 0.4, y: h * 0.5, label: 1 }] };
    const { feeds } = buildDecoderFeeds(embedding.tensor, prompt, resizeLongestSide(h, w));
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.dims)]));
    const bare: number[] = [];
    const piped: number[] = [];
    const outside: number[] = [];
    const inside: number[] = [];
    const fast: number[] = [];
    for (let i = 0; i < ITERATIONS + 5; i++) {
      // interleaved so that machine noise hits both alike; the first 5 rounds warm up
      let t = performance.now();
      await session.run(ortFeeds);
      const b = performance.now() - t;
      t = performance.now();
      await predictor.decode(embedding, prompt);
      const p = performance.now() - t;
      t = performance.now();
      await interactive.decode(embedding, prompt);
      const f = performance.now() - t;
      if (i >= 5) {
        fast.push(f);
        bare.push(b);
        piped.push(p);
        inside.push(inRun);
        outside.push(p - inRun);
      }
    }
    // min is the robust estimate on a shared machine; the median is printed beside it
    const line = (name: string, b: number, p: number): string =>
      `${name} bare ${b.toFixed(2).padStart(7)} ms  pipeline ${p.toFixed(2).padStart(7)} ms  overhead ${(((p - b) / b) * 100).toFixed(1).padStart(5)} %`;
    const split = median(outside.map((o, k) => o / inside[k]!)) * 100;
    console.log(`${label.padEnd(24)} ${`${w}×${h}`.padEnd(10)} ${line('min', Math.min(...bare), Math.min(...piped))} | ${line('median', median(bare), median(piped))}`);
    console.log(`${''.padEnd(35)} same-call split: run ${median(inside).toFixed(2)} ms, pipeline outside run ${median(outside).toFixed(2)} ms = ${split.toFixed(1)} % of run (median of per-call ratios)`);
    console.log(`${''.padEnd(35)} interactive decode (one click → mask): min ${Math.min(...fast).toFixed(2)} ms, median ${median(fast).toFixed(2)} ms`);
  }
  await backend.dispose();
}

const dir = await mkdtemp(join(tmpdir(), 'bench-decoder-'));
try {
  console.log(`decoder overhead: median of ${ITERATIONS} runs, ${THREADS} intra-op threads, onnxruntime-node ${ort.env.versions.common}`);
  await writeContractBundle(dir);
  await bench('contract decoder', join(dir, 'decoder.onnx'), [1, 256, 64, 64]);
  const builtIn = join(process.cwd(), 'models/default/decoder.onnx');
  if (existsSync(builtIn)) await bench('models/default decoder', builtIn, [1, 256, 64, 64]);
  else console.log('models/default/decoder.onnx not present: skipped');
  for (const extra of process.argv.slice(2)) await bench(extra.slice(-24), extra, [1, 256, 64, 64]);
} finally {
  await rm(dir, { recursive: true, force: true });
}
