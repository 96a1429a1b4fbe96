// npm test — installs what is missing, prepares the test database, and runs every test:
// type check, lint (architecture boundaries), unit, integration (real PostgreSQL + Redis) and
// browser tests (Debian's chromium through playwright-core).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureAptPackages, ensureNodeModules, ensureServices, log } from './lib/ensure.mjs';

const started = Date.now();
process.env.NX_DAEMON = 'false';
process.env.NX_NO_CLOUD = 'true';
process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.ONNXRUNTIME_NODE_INSTALL = 'skip';
process.env.OPENBLAS_NUM_THREADS = '1';

try {
  ensureNodeModules();
  ensureAptPackages(['chromium'], 'the browser tests');
  // Debian's torch is slow on the reference BLAS: OpenBLAS switches the alternative (STACK-NOTES)
  ensureAptPackages(['python3-torch', 'python3-onnx', 'python3-pytest', 'python3-numpy', 'python3-pil', 'python3-scipy', 'libopenblas0-pthread'], 'the trainer');
  await ensureServices({
    databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/dataengine_test',
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  });
} catch (error) {
  console.error(`\n✖ ${error.message}`);
  process.exit(1);
}

const steps = [];
const runStep = (name, cmd, args) => {
  log(`${name}…`);
  const t0 = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  steps.push({ name, ok: result.status === 0, seconds: (Date.now() - t0) / 1000 });
  return result.status === 0;
};

const totals = { passed: 0, failed: 0, skipped: 0 };
const vitestProject = (project) => {
  mkdirSync('tmp', { recursive: true });
  const report = `tmp/vitest-${project}.json`;
  rmSync(report, { force: true });
  const ok = runStep(`${project} tests`, 'npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += json.numPassedTests;
    // a suite that failed to load has no failed tests of its own: count it once
    totals.failed += json.numFailedTests + (json.numFailedTests === 0 ? json.numFailedTestSuites : 0);
    totals.skipped += json.numPendingTests + json.numTodoTests;
  } catch {
    totals.failed += 1; // the runner crashed before writing its report
  }
  return ok;
};

// The trainer's suite (pytest, Debian's /usr/bin/python3 which sees the apt-installed torch).
function pytest() {
  mkdirSync('tmp', { recursive: true });
  const report = 'tmp/pytest-junit.xml';
  rmSync(report, { force: true });
  runStep('trainer tests', '/usr/bin/python3', ['-m', 'pytest', 'trainer/tests', '-q', '-p', 'no:cacheprovider', `--junitxml=${report}`]);
  try {
    const xml = readFileSync(report, 'utf8');
    const attr = (name) => Number((new RegExp(`<testsuite[^>]*\\s${name}="(\\d+)"`).exec(xml) ?? [])[1] ?? 0);
    const tests = attr('tests');
    const failed = attr('failures') + attr('errors');
    const skipped = attr('skipped');
    totals.passed += tests - failed - skipped;
    totals.failed += failed;
    totals.skipped += skipped;
  } catch {
    totals.failed += 1;
  }
}

runStep('type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
runStep('type check (web)', 'npx', ['tsc', '-p', 'apps/web/tsconfig.json', '--noEmit']);
runStep('lint', 'node', ['scripts/lint.mjs']);
vitestProject('unit');
vitestProject('integration');
vitestProject('browser');
pytest();

const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log('\n──────── summary ────────');
for (const s of steps) console.log(`${s.ok ? '✔' : '✖'} ${s.name.padEnd(22)} ${s.seconds.toFixed(1)} s`);
console.log(`total ${seconds} s`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(steps.every((s) => s.ok) ? 0 : 1);
