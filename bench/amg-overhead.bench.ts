// AMG time split: model calls (embed + decoder) vs everything else (stability, filtering, RLE,
// pasting, NMS, post-processing), default 32×32 grid on a 1500×1000 synthetic image.
// Run: npx tsx bench/amg-overhead.bench.ts [--preset sa1b] [--runs N] [--size 3000x2000]
// The oracle model (ground truth, no network) stands in for the decoder here, so this isolates the
// generator's own cost; bench/amg.bench.ts measures the target (non-decoder < 25 % of
// decoder time) through the real ONNX decoder.
import { type AmgPresetName, SamAutomaticMaskGenerator } from '@dataengine/segment';
import { OracleAmgModel } from '@dataengine/segment/testing';
import { generateScene } from '@dataengine/synth';

const args = process.argv.slice(2);
const preset = (args[args.indexOf('--preset') + 1] ?? 'sam-default') as AmgPresetName;
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 2);
const usePreset: AmgPresetName = args.includes('--preset') ? preset : 'sam-default';

const size = args.includes('--size') ? args[args.indexOf('--size') + 1]! : '1500x1000';
const [W, H] = size.split('x').map(Number) as [number, number];
const scene = generateScene({ seed: 11, width: W, height: H, objectCount: [8, 14] });
const image = { width: W, height: H, channels: 3 as const, data: scene.rgb };
console.log(`AMG overhead: ${W}x${H} synthetic scene (${scene.instances.length} instances), preset ${usePreset}, oracle model`);

for (let r = 0; r < runs; r++) {
  const model = new OracleAmgModel(scene.instances, W, H);
  const gen = new SamAutomaticMaskGenerator(model, { outputMode: 'coco_rle' }, usePreset);
  let peakRss = process.memoryUsage().rss;
  const { records, stats } = await gen.generateWithStats(image, { onCrop: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)) });
  const modelMs = stats.embedMs + stats.decodeMs;
  const otherMs = stats.totalMs - modelMs;
  console.log(
    `run ${r + 1}: total ${stats.totalMs.toFixed(0)} ms | model calls ${modelMs.toFixed(0)} ms (decoder ${stats.decodeMs.toFixed(0)} ms, ` +
      `${stats.decodeCalls} calls, ${stats.points} points; embed ${stats.embedMs.toFixed(1)} ms, ${stats.crops} crops) | ` +
      `everything else ${otherMs.toFixed(0)} ms = ${(otherMs / stats.points).toFixed(2)} ms/point, ${(otherMs / stats.masksDecoded).toFixed(2)} ms/mask ` +
      `(${stats.masksDecoded} masks decoded, ${stats.masksKept} after per-batch filters, ${records.length} records)`,
  );
  console.log(
    `        non-decoder / decoder = ${((100 * otherMs) / stats.decodeMs).toFixed(1)} % with the oracle; ` +
      `with a real decoder at D ms per point it would be ${(otherMs / stats.points).toFixed(2)} / D (< 25 % needs D > ${((4 * otherMs) / stats.points).toFixed(1)} ms)`,
  );
  console.log(`        peak RSS after a crop ${(peakRss / 2 ** 20).toFixed(0)} MiB (scene masks held by the oracle: ${((scene.instances.length * W * H) / 2 ** 20).toFixed(0)} MiB)`);
}
