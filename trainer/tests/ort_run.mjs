// Runs an ONNX model in onnxruntime-node for the Python parity tests and latency benchmarks.
// Usage: node ort_run.mjs <spec.json>
// spec: { model, inputs: { name: { shape: [...], file: "x.f32" } }, outDir, threads?, repeat?, warmup? }
// Writes outDir/<output>.f32 (raw little-endian float32) and outDir/result.json { outputs: {name: shape}, times_ms }.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const threads = spec.threads ?? 2;
const session = await ort.InferenceSession.create(spec.model, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const feeds = {};
for (const [name, { shape, file }] of Object.entries(spec.inputs)) {
  const buf = readFileSync(file);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  feeds[name] = new ort.Tensor('float32', Float32Array.from(data), shape);
}
for (let i = 0; i < (spec.warmup ?? 0); i++) await session.run(feeds);
const times = [];
let results;
for (let i = 0; i < (spec.repeat ?? 1); i++) {
  const t0 = performance.now();
  results = await session.run(feeds);
  times.push(performance.now() - t0);
}
const outputs = {};
for (const [name, tensor] of Object.entries(results)) {
  outputs[name] = tensor.dims;
  const arr = tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data, Number);
  writeFileSync(join(spec.outDir, `${name}.f32`), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
}
writeFileSync(join(spec.outDir, 'result.json'), JSON.stringify({ outputs, times_ms: times, inputs: session.inputNames, outputNames: session.outputNames }));
