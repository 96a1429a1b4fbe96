// AMG through the real ONNX pipeline (PredictorAmgModel over onnxruntime-node): default 32×32 grid
// on a 1500×1000 synthetic image. Prints the decoder's own time (inside session.run) against
// everything else (feeds, copying channels 1–3, stability, thresholding, RLE, pasting, NMS,
// records) — issue 3 target: everything else < 25 % of decoder time — and the peak RSS.
// Bundle: --checkpoint DIR, else models/default, else tmp/bundle_test (trainer test export), else
// the contract bundle.
// Run: npx tsx bench/amg.bench.ts [--checkpoint DIR] [--size 1500x1000] [--preset sam-default|sa1b]
//        [--points-per-side N] [--threads N] [--prompt-threads N] [--keep-all]
// --keep-all sets pred_iou_thresh = stability_score_thresh = 0, so every decoded mask goes through
// thresholding, RLE, pasting and NMS (the worst case for "everything else").
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type AmgPresetName, type InferenceBackend, PredictorAmgModel, SamAutomaticMaskGenerator, SamPredictor } from '@dataengine/segment';
import { closeAllBundles, openBundle, PROMPT_GRAPH_THREADS } from '@dataengine/segment/node';
import { writeContractBundle } from '@dataengine/segment/testing';
import { generateScene } from '@dataengine/synth';

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    size: { type: 'string', default: '1500x1000' },
    preset: { type: 'string', default: 'sam-default' },
    'points-per-side': { type: 'string', default: '32' },
    threads: { type: 'string', default: '2' },
    'prompt-threads': { type: 'string', default: String(PROMPT_GRAPH_THREADS) },
    'keep-all': { type: 'boolean', default: false },
  },
});

let scratch: string | null = null;
async function pickBundle(): Promise<{ dir: string; label: string }> {
  if (values.checkpoint) return { dir: resolve(values.checkpoint), label: values.checkpoint };
  for (const dir of ['models/default', 'tmp/bundle_test']) if (existsSync(join(dir, 'manifest.json'))) return { dir: resolve(dir), label: dir };
  scratch = await mkdtemp(join(tmpdir(), 'bench-amg-'));
  return { dir: await writeContractBundle(join(scratch, 'bundle')), label: 'contract bundle' };
}

const [W, H] = values.size.split('x').map(Number) as [number, number];
const { dir, label } = await pickBundle();
const open = await openBundle(dir, { intraOpNumThreads: Number(values.threads), promptIntraOpNumThreads: Number(values['prompt-threads']) });

// the same backend, timed: milliseconds spent inside session.run per model role
const inRun: Record<string, number> & { encoder: number; decoder: number; detector: number } = { encoder: 0, decoder: 0, detector: 0 };
const timed: InferenceBackend = {
  run: async (role, feeds, names) => {
    const t = performance.now();
    try {
      return await open.backend.run(role, feeds, names);
    } finally {
      const key = role.startsWith('decoder') ? 'decoder' : role; // the contract decoder or the interactive graphs
      inRun[key] = (inRun[key] ?? 0) + performance.now() - t;
    }
  },
  dispose: () => open.backend.dispose(),
};
const model = new PredictorAmgModel(new SamPredictor(timed, open.predictor.config));
const scene = generateScene({ seed: 11, width: W, height: H, objectCount: [8, 14] });
const image = { width: W, height: H, channels: 3 as const, data: scene.rgb };
const filters = values['keep-all'] ? { predIouThresh: 0, stabilityScoreThresh: 0 } : {};
const generator = new SamAutomaticMaskGenerator(model, { outputMode: 'coco_rle', pointsPerSide: Number(values['points-per-side']), ...filters }, values.preset as AmgPresetName);

console.log(`AMG bench: ${label} (${open.manifest.name}), ${W}x${H} synthetic scene, preset ${values.preset}, ${values['points-per-side']}² grid${values['keep-all'] ? ', all filters off' : ''}, ${values.threads} intra-op threads (prompt graphs ${values['prompt-threads']})`);
await open.predictor.embedImage({ width: 64, height: 48, channels: 3, data: new Uint8Array(64 * 48 * 3) }); // session creation outside the timings
inRun.encoder = 0;
const rssBefore = process.memoryUsage().rss;
const { records, stats } = await generator.generateWithStats(image, { onCrop: (d, n) => console.log(`  crop ${d}/${n} done, ${(performance.now() / 1000).toFixed(0)} s`) });
const decoder = inRun.decoder;
const encoder = inRun.encoder;
const glue = stats.decodeMs - decoder; // feeds + output checks + copying channels 1–3 (inside predictMultimask)
const post = stats.totalMs - stats.embedMs - stats.decodeMs; // stability, thresholds, RLE, paste, NMS, records
const other = stats.totalMs - encoder - decoder;
const ms = (v: number): string => `${v.toFixed(0)} ms`;
console.log(`points ${stats.points}, decoder runs ${model.timings.decoderRuns}, masks decoded ${stats.masksDecoded}, kept after per-batch filters ${stats.masksKept}, records ${records.length}`);
console.log(`total ${ms(stats.totalMs)} | encoder ${ms(encoder)} (${stats.crops} crop(s)) | decoder session.run ${ms(decoder)} = ${(decoder / model.timings.decoderRuns).toFixed(1)} ms/point`);
console.log(`everything else ${ms(other)} = ${((100 * other) / decoder).toFixed(1)} % of decoder time (target < 25 %): feeds + channel copy ${ms(glue)}, filtering/stability/RLE/NMS/records ${ms(post)}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (RSS before generating ${(rssBefore / 2 ** 20).toFixed(0)} MiB)`);
await closeAllBundles();
if (scratch) await rm(scratch, { recursive: true, force: true });
