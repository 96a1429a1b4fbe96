// Fault and abuse checks against isolated installations: each module under bench/faults/ starts
// what it needs (API process, worker, a test schema and queue prefix of its own), runs its attacks
// and returns one row per attack. Prints the table attack → expected → result; exits 1 when any
// row did not hold. Not a test: the same attacks are asserted by the integration tests; this is
// the operator's view of them, runnable against the current code.
//
// Run: npm run bench:faults -- [--only db,rle,...]   (module names: bench/faults/<name>.fault.ts)
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FaultModule, FaultRow } from './faults/fault-row';

const { values } = parseArgs({ options: { only: { type: 'string', default: '' } } });
const only = new Set(values.only.split(',').filter(Boolean));
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'faults');
const files = readdirSync(dir).filter((f) => f.endsWith('.fault.ts')).sort();

const rows: (FaultRow & { module: string; seconds: number })[] = [];
for (const file of files) {
  const name = file.replace(/\.fault\.ts$/, '');
  if (only.size && !only.has(name)) continue;
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as FaultModule;
  const t0 = performance.now();
  process.stdout.write(`▶ ${name}: ${mod.title}\n`);
  try {
    const got = await mod.run();
    const seconds = (performance.now() - t0) / 1000;
    for (const row of got) {
      rows.push({ ...row, module: name, seconds });
      process.stdout.write(`  ${row.ok ? '✓' : '✖'} ${row.attack} → ${row.result}\n`);
    }
  } catch (error) {
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ module: name, attack: mod.title, expected: 'the module runs', result: `crashed: ${(error as Error).stack ?? error}`, ok: false, seconds });
    process.stdout.write(`  ✖ crashed: ${(error as Error).message}\n`);
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
console.log('\n| module | attack | expected | result | held |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.module} | ${cell(r.attack)} | ${cell(r.expected)} | ${cell(r.result)} | ${r.ok ? 'yes' : '**NO**'} |`);
const failed = rows.filter((r) => !r.ok).length;
console.log(`\n${rows.length - failed} of ${rows.length} held`);
process.exit(failed ? 1 : 0);
