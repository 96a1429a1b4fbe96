// Decoder call through the pipeline (prompt checks, feeds, session.run, mask selection, `> 0`
// binarisation, stability score, low-res copy) vs a bare `session.run` on the same feeds.
// Target: pipeline overhead < 10 % (issue 3). Run: npx tsx bench/decoder-overhead.bench.ts
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildDecoderFeeds, resizeLongestSide, SamPredictor, type ImageEmbedding, type SamPrompt } from '@dataengine/segment';
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
  const predictor = new SamPredictor(backend);
  const session = await backend.session('decoder');
  const data = new Float32Array(embeddingDims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i) * 0.1);
  for (const [h, w] of SIZES) {
    const embedding: ImageEmbedding = { tensor: { data, dims: embeddingDims }, imageHeight: h, imageWidth: w };
    const prompt: SamPrompt = { points: [{ x: w * 0.4, y: h * 0.5, label: 1 }] };
    const { feeds } = buildDecoderFeeds(embedding.tensor, prompt, resizeLongestSide(h, w));
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.dims)]));
    const bare: number[] = [];
    const piped: number[] = [];
    for (let i = 0; i < ITERATIONS + 5; i++) {
      // interleaved so that machine noise hits both alike; the first 5 rounds warm up
      let t = performance.now();
      await session.run(ortFeeds);
      const b = performance.now() - t;
      t = performance.now();
      await predictor.decode(embedding, prompt);
      const p = performance.now() - t;
      if (i >= 5) {
        bare.push(b);
        piped.push(p);
      }
    }
    const mb = median(bare);
    const mp = median(piped);
    console.log(`${label.padEnd(26)} ${`${w}×${h}`.padEnd(10)} bare ${mb.toFixed(2).padStart(7)} ms   pipeline ${mp.toFixed(2).padStart(7)} ms   overhead ${(((mp - mb) / mb) * 100).toFixed(1).padStart(5)} %`);
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
} finally {
  await rm(dir, { recursive: true, force: true });
}
