// Engine throughput through the real worker processes, PostgreSQL, Redis and blob store, with the
// built-in model (models/default) on synthetic scenes: embed images/s, prefill images/minute and
// autogen images/minute (preset sam-default, its 32×32 grid), each with 1 and then 2 worker
// processes (WORKER_CONCURRENCY=1 each). Prints a table; not a test.
//
// Embed: embed jobs for every image (embeddings deleted before each round). Prefill: a prefill run
// with default parameters; the images' embeddings are already stored then (as after ingest's
// backfill), so it measures detector + decoder + storage. Autogen: an autogen run with the preset
// unchanged unless --points-per-side is given.
//
// Run: npm run bench:engine -- [--images 8] [--autogen-images 4] [--size 1024x768] [--workers 1,2]
//        [--points-per-side N] [--skip embed,prefill,autogen]
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { registerCheckpoint, startRun, SYSTEM_ACTOR } from '@dataengine/engine';
import { createJobProducer } from '@dataengine/queue';
import { addSyntheticImages, createTestEnv, makeProject, makeUser, REPO_ROOT, spawnService, waitFor, type ServiceProcess } from '@dataengine/testing';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '8' },
    'autogen-images': { type: 'string', default: '4' },
    size: { type: 'string', default: '1024x768' },
    workers: { type: 'string', default: '1,2' },
    'points-per-side': { type: 'string' },
    skip: { type: 'string', default: '' },
    /** print the workers' logs */
    verbose: { type: 'boolean', default: false },
  },
});
const [W, H] = values.size.split('x').map(Number) as [number, number];
const IMAGES = Number(values.images);
const AUTOGEN_IMAGES = Number(values['autogen-images']);
const WORKER_COUNTS = values.workers.split(',').map(Number);
const ECHO = values.verbose;
const SKIP = new Set(values.skip.split(',').filter(Boolean));
const AUTOGEN_OVERRIDES: Record<string, number> = values['points-per-side'] ? { pointsPerSide: Number(values['points-per-side']) } : {};

const env = await createTestEnv({ LOG_LEVEL: 'error' });
const { deps, config } = env;
const checkpoint = await registerCheckpoint(deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models/default'), name: 'built-in default', activate: true });
const manager = await makeUser(deps.db, { role: 'manager' });
const projectId = (await makeProject(deps.db, { createdBy: manager })).id;
const seeds = Array.from({ length: Math.max(IMAGES, AUTOGEN_IMAGES) }, (_, i) => 100 + i);
const imageIds = await addSyntheticImages(deps, manager, { projectId, seeds, width: W, height: H, fileName: (seed) => `scene-${seed - 100}.png` });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });

interface Row {
  stage: string;
  workers: number;
  images: number;
  seconds: number;
  unit: 'images/s' | 'images/min';
  masks?: number;
  peakRssMiB: number[];
}
const rows: Row[] = [];

console.log(`engine throughput: ${checkpoint.name} (${(checkpoint.manifest as { name?: string }).name}), ${W}x${H} synthetic scenes, embed/prefill ${IMAGES} images, autogen ${AUTOGEN_IMAGES} images (sam-default${values['points-per-side'] ? `, pointsPerSide ${values['points-per-side']}` : ''}), workers ${WORKER_COUNTS.join(' then ')}`);

for (const n of WORKER_COUNTS) {
  // each round has its own queue prefix: fresh job ids, no leftovers from the round before
  const prefix = `${config.QUEUE_PREFIX}-w${n}`;
  const jobs = createJobProducer({ connection: redis, prefix });
  const workers = await startWorkers(n, prefix);
  const roundDeps = { ...deps, jobs };
  try {
    // warm-up: each worker loads its onnx sessions on its first job, outside the timings
    await deps.db.embedding.deleteMany({});
    for (const id of imageIds.slice(0, 2 * n)) await jobs.enqueue('embed', { imageId: id, checkpointId: checkpoint.id });
    await waitFor(async () => (await deps.db.embedding.count()) >= Math.min(imageIds.length, 2 * n), 'warm-up embeddings', 300_000, 50);

    if (!SKIP.has('embed')) {
      await deps.db.embedding.deleteMany({});
      await forgetFinishedJobs('embed', prefix); // the same job ids again: BullMQ would dedup them
      const ids = imageIds.slice(0, IMAGES);
      const t = performance.now();
      for (const id of ids) await jobs.enqueue('embed', { imageId: id, checkpointId: checkpoint.id });
      await waitFor(async () => (await deps.db.embedding.count()) >= ids.length, `embeddings of ${ids.length} images`, 600_000, 20);
      rows.push({ stage: 'embed', workers: n, images: ids.length, seconds: (performance.now() - t) / 1000, unit: 'images/s', peakRssMiB: [] });
    }
    if (!SKIP.has('prefill')) {
      const ids = imageIds.slice(0, IMAGES);
      for (const id of ids) await roundDeps.jobs.enqueue('embed', { imageId: id, checkpointId: checkpoint.id }); // stored already unless embed was skipped
      await waitFor(async () => (await deps.db.embedding.count()) >= ids.length, 'stored embeddings', 600_000, 50);
      rows.push(await measureRun(roundDeps, { kind: 'prefill', projectId, imageIds: ids, boxScoreThreshold: 0.3, predIouThresh: 0.7, stabilityScoreThresh: 0.8, maxMasksPerImage: 100 }, n));
    }
    if (!SKIP.has('autogen')) {
      rows.push(await measureRun(roundDeps, { kind: 'autogen', projectId, imageIds: imageIds.slice(0, AUTOGEN_IMAGES), preset: 'sam-default', overrides: AUTOGEN_OVERRIDES, allowEarlierStages: true }, n));
    }
    const rss = workers.map(peakRssMiB);
    for (const r of rows) if (r.workers === n) r.peakRssMiB = rss;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await jobs.close();
    // this round's queues live outside the test env's prefix, which env.close() cleans
    for (const name of ['embed', 'infer']) {
      const queue = new Queue(name, { connection: redis, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }
}

printTable(rows);
redis.disconnect();
await env.close();

async function measureRun(d: typeof deps, input: Parameters<typeof startRun>[2], n: number): Promise<Row> {
  const t = performance.now();
  const started = await startRun(d, SYSTEM_ACTOR, input);
  const run = await waitFor(async () => {
    const r = await deps.db.run.findUniqueOrThrow({ where: { id: started.id } });
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
  }, `${input.kind} run`, 3_600_000, 50);
  const seconds = (performance.now() - t) / 1000;
  if (run.status !== 'succeeded' || run.failed > 0) throw new Error(`${input.kind} run ended ${run.status}: ${run.error}`);
  const masks = await deps.db.mask.count({ where: { runId: run.id } });
  return { stage: input.kind, workers: n, images: run.total, seconds, unit: 'images/min', masks, peakRssMiB: [] };
}

async function forgetFinishedJobs(queueName: string, prefix: string): Promise<void> {
  const queue = new Queue(queueName, { connection: redis, prefix });
  await queue.clean(0, 100_000, 'completed');
  await queue.close();
}

async function startWorkers(n: number, prefix: string): Promise<ServiceProcess[]> {
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: config.DATABASE_URL,
    DATABASE_SCHEMA: config.DATABASE_SCHEMA,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: prefix,
    BLOB_DIR: config.blobDir,
    WORKER_QUEUES: 'embed,infer',
    WORKER_CONCURRENCY: '1',
    LOG_LEVEL: 'info',
  };
  const workers = Array.from({ length: n }, (_, i) => spawnService(`worker-${i + 1}`, process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], env, { echo: ECHO }));
  for (const w of workers) await waitFor(() => w.output().includes('"worker started"'), `${w.name} to start`, 120_000, 100);
  return workers;
}

/** Peak resident memory of a worker process so far (Linux /proc; null elsewhere). */
function peakRssMiB(w: ServiceProcess): number {
  try {
    const status = readFileSync(`/proc/${w.child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return Number.NaN; // not Linux, or the process is gone: the column shows NaN
  }
}

function printTable(all: Row[]): void {
  const header = ['stage', 'workers', 'images', 'wall s', 'throughput', 'per worker', 'vs 1 worker', 'masks', 'peak RSS/worker MiB'];
  const lines = all.map((r) => {
    const rate = r.unit === 'images/s' ? r.images / r.seconds : (60 * r.images) / r.seconds;
    const base = all.find((b) => b.stage === r.stage && b.workers === 1);
    const baseRate = base ? (base.unit === 'images/s' ? base.images / base.seconds : (60 * base.images) / base.seconds) : Number.NaN;
    return [
      r.stage,
      String(r.workers),
      String(r.images),
      r.seconds.toFixed(1),
      `${rate.toFixed(2)} ${r.unit}`,
      `${(rate / r.workers).toFixed(2)} ${r.unit}`,
      Number.isFinite(baseRate) ? `${(rate / baseRate).toFixed(2)}×` : '-',
      r.masks === undefined ? '-' : String(r.masks),
      r.peakRssMiB.join(' / '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}
