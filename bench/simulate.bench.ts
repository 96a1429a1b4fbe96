// The simulator's wall time for 100 images (issue 5, "Speed"): runs `dataengine simulate` as a user
// does (a child process that starts its own worker) against the configured PostgreSQL and Redis,
// and prints the total wall time, the time per stage and retrain round, and images per minute.
// Run: npx tsx bench/simulate.bench.ts [--images 100] [any other `dataengine simulate` flag…]
// e.g. npx tsx bench/simulate.bench.ts --images 20 --retrain-every 0
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulationReport } from '@dataengine/engine';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
if (!args.includes('--images')) args.push('--images', '100');
const dir = await mkdtemp(join(tmpdir(), 'simulate-bench-'));
const out = join(dir, 'report.json');

const started = performance.now();
const code = await new Promise<number | null>((resolve) => {
  const child = spawn(process.execPath, [join(root, 'bin/dataengine.mjs'), 'simulate', ...args, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', resolve);
});
const wall = (performance.now() - started) / 1000;
if (code !== 0) {
  console.error(`simulate.bench: dataengine simulate exited with ${code}`);
  process.exit(1);
}
const report = JSON.parse(await readFile(out, 'utf8')) as SimulationReport;
await rm(dir, { recursive: true, force: true });

const images = report.images.length;
const stageRows = report.rows.map((r) => ({
  part: `stage ${r.stage}${r.round !== null ? ` round ${r.round}` : ''}`,
  images: r.images,
  seconds: r.wallSeconds,
  imagesPerMinute: (r.images / r.wallSeconds) * 60,
}));
const retrains = report.retrains.map((r) => ({ part: `retrain after ${r.afterImages} images`, seconds: r.wallSeconds, error: r.error }));
const inParts = [...stageRows.map((r) => r.seconds), ...retrains.map((r) => r.seconds)].reduce((s, v) => s + v, 0);

console.log(`\nsimulate wall time for ${images} images: ${wall.toFixed(1)} s (process start to exit; ${report.wallSeconds.toFixed(1)} s inside the simulation)`);
console.log(`options: ${args.join(' ')}`);
for (const r of stageRows) console.log(`  ${r.part.padEnd(22)} ${String(r.images).padStart(4)} images  ${r.seconds.toFixed(1).padStart(7)} s  ${r.imagesPerMinute.toFixed(1).padStart(6)} images/min`);
for (const r of retrains) console.log(`  ${r.part.padEnd(22)}              ${r.seconds.toFixed(1).padStart(7)} s${r.error ? `  (failed: ${r.error})` : ''}`);
console.log(`  set-up, uploads, ingest ${(report.wallSeconds - inParts).toFixed(1).padStart(18)} s`);
console.log(`  overall ${((images / wall) * 60).toFixed(1)} images/min`);
