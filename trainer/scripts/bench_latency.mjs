// Latency of a bundle's ONNX models in onnxruntime-node (CPU).
// Usage: node trainer/scripts/bench_latency.mjs <bundle-dir> [--threads 2] [--repeat 20] [--width 1024 --height 768] [--decoder-only]
// Encoder: one [1,3,1024,1024] run (a 1024×768 image is padded to 1024², so the cost does not depend
// on the aspect ratio). Decoder: one prompt (1 click + padding point), orig_im_size = (height, width).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const dir = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const threads = opt('threads', 2);
const repeat = opt('repeat', 20);
const width = opt('width', 1024);
const height = opt('height', 768);
const session = (file) => ort.InferenceSession.create(join(dir, file), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });

async function time(sess, feeds, n) {
  for (let i = 0; i < 3; i++) await sess.run(feeds);
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await sess.run(feeds);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median_ms: +t[Math.floor(n / 2)].toFixed(2), p90_ms: +t[Math.floor(n * 0.9)].toFixed(2), min_ms: +t[0].toFixed(2) };
}

const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const decoderOnly = args.includes('--decoder-only'); // random embedding; skips the (possibly huge) encoder
let encoder = null;
let emb;
if (decoderOnly) {
  const e = new Float32Array(256 * 64 * 64);
  for (let i = 0; i < e.length; i++) e[i] = Math.sin(i * 0.37);
  emb = new ort.Tensor('float32', e, [1, 256, 64, 64]);
} else {
  const enc = await session('encoder.onnx');
  const img = new Float32Array(3 * 1024 * 1024);
  for (let i = 0; i < img.length; i++) img[i] = Math.sin(i) * 1.5;
  const feeds = { [manifest.encoder.input]: new ort.Tensor('float32', img, [1, 3, 1024, 1024]) };
  encoder = await time(enc, feeds, Math.max(5, Math.floor(repeat / 2)));
  emb = (await enc.run(feeds))[manifest.encoder.output];
}
const dec = await session('decoder.onnx');
const s = 1024 / Math.max(width, height);
const feeds = {
  image_embeddings: emb,
  point_coords: new ort.Tensor('float32', Float32Array.from([0.4 * width * s, 0.5 * height * s, 0, 0]), [1, 2, 2]),
  point_labels: new ort.Tensor('float32', Float32Array.from([1, -1]), [1, 2]),
  mask_input: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
  has_mask_input: new ort.Tensor('float32', Float32Array.from([0]), [1]),
  orig_im_size: new ort.Tensor('float32', Float32Array.from([height, width]), [2]),
};
const decoder = await time(dec, feeds, repeat);
let detector = null;
if (manifest.detector) {
  const det = await session('detector.onnx');
  detector = await time(det, { [manifest.detector.input]: emb }, repeat);
}
process.stdout.write(`${JSON.stringify({ bundle: manifest.name, threads, image: [width, height], encoder, decoder, detector })}\n`);
