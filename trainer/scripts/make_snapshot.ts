/**
 * Writes a synthetic SA-1B-layout snapshot for the trainer (all shape / part / texture variety on).
 * `--variant studio` writes the held-out scene family (lit photographed-looking objects) instead
 * of the 'classic' one the built-in model is trained on; snapshot.json records which.
 *
 *   npx tsx trainer/scripts/make_snapshot.ts --out DIR [--count N] [--seed S]
 *     [--width W] [--height H] [--val-fraction F] [--objects MIN,MAX] [--variant classic|studio]
 */
import type { SceneVariant } from '@dataengine/synth';
import { writeSa1bSnapshot } from '@dataengine/synth/node';

interface Args {
  out: string;
  count: number;
  seed: number;
  width: number;
  height: number;
  valFraction: number;
  objects?: [number, number];
  variant: SceneVariant;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { out: '', count: 200, seed: 1, width: 512, height: 384, valFraction: 0.1, variant: 'classic' };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--out') args.out = value;
    else if (key === '--count') args.count = Number(value);
    else if (key === '--seed') args.seed = Number(value);
    else if (key === '--width') args.width = Number(value);
    else if (key === '--height') args.height = Number(value);
    else if (key === '--val-fraction') args.valFraction = Number(value);
    // checked (RangeError naming it) by resolveSceneOptions before anything is written
    else if (key === '--variant') args.variant = value as SceneVariant;
    else if (key === '--objects') {
      const [lo, hi] = value.split(',').map(Number);
      args.objects = [lo!, hi!];
    } else throw new Error(`unknown option ${key}`);
  }
  if (!args.out) throw new Error('--out DIR is required');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const manifest = await writeSa1bSnapshot({
    dir: args.out,
    count: args.count,
    seed: args.seed,
    width: args.width,
    height: args.height,
    valFraction: args.valFraction,
    sceneOptions: { variant: args.variant, ...(args.objects ? { objectCount: args.objects } : {}) },
    onProgress: (written, total) => {
      if (written % 100 === 0 || written === total) {
        process.stdout.write(`${JSON.stringify({ event: 'snapshot_progress', written, total })}\n`);
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ event: 'snapshot_done', dir: args.out, counts: manifest.counts, seconds })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`make_snapshot: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
