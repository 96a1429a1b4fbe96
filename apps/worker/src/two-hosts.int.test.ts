// Workers on two hosts: two worker processes that share nothing but PostgreSQL, Redis and the
// object store (a real S3 server process) — each its own BLOB_CACHE_DIR and BLOB_DIR, no blob
// directory in common, and (where the machine allows it) its own network namespace. One autogen run: every image processed exactly once, by one of the two.
// A promotion: both fetch the new bundle through the store into their own cache and switch.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCheckpoint, registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import {
  addSyntheticImages,
  createTestEnv,
  inNetworkNamespace,
  loginCookie,
  makeProject,
  makeUser,
  networkNamespacesAvailable,
  REPO_ROOT,
  spawnService,
  startNetnsBridges,
  startS3Server,
  startTestApi,
  trpcMutation,
  waitFor,
  type S3Server,
  type ServiceProcess,
  type TestEnv,
} from '@dataengine/testing';

// a GPU host's queues; small images and a coarse grid keep the run short on a shared CPU
const WORKER_QUEUES = 'embed,infer';
const PARAMS = { kind: 'autogen', preset: 'sam-default', overrides: { pointsPerSide: 4, predIouThresh: 0.25, stabilityScoreThresh: 0.3 }, allowEarlierStages: true };
const SEEDS = [21, 22, 23, 24, 25, 26];
const SLOW_MACHINE_TIMEOUT_MS = 180_000;

let s3: S3Server;
let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let cookie: string;
let projectId: string;
let imageIds: number[];
let scratch: string;
const hosts: { name: string; cacheDir: string; blobDir: string; process: ServiceProcess }[] = [];
let closeBridges = () => Promise.resolve();
let isolated = false;

/** The JSON log lines of a worker process with this message. */
function logLines(host: (typeof hosts)[number], msg: string): Record<string, unknown>[] {
  return host.process
    .output()
    .split('\n')
    .filter((line) => line.includes(`"${msg}"`))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

beforeAll(async () => {
  s3 = await startS3Server();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'dataengine-two-hosts-'));
  // this process (the API's host) uses the object store too, with a cache of its own
  env = await createTestEnv({ ...s3.env, BLOB_CACHE_DIR: path.join(scratch, 'api-cache') });
  api = await startTestApi(env.deps);
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models/default'), activate: true });
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  imageIds = await addSyntheticImages(env.deps, manager, { projectId, seeds: SEEDS, width: 128, height: 96 });
  cookie = await loginCookie(api.url, ops.email, ops.password);
  const c = env.config;
  // each worker in a network namespace of its own where this machine allows it: only PostgreSQL,
  // Redis and S3 are reachable (bridged), as from another host
  isolated = networkNamespacesAvailable();
  console.log(isolated ? 'two hosts: each worker in a network namespace of its own' : 'two hosts: separate processes and directories (no network namespaces on this machine)');
  const urls = [new URL(c.DATABASE_URL), new URL(c.REDIS_URL), new URL(s3.endpoint)];
  const netns = isolated
    ? await startNetnsBridges(scratch, urls.map((u, i) => ({ name: ['postgres', 'redis', 's3'][i]!, host: u.hostname, port: Number(u.port) })))
    : null;
  closeBridges = () => netns?.close() ?? Promise.resolve();
  for (const name of ['host-a', 'host-b']) {
    const cacheDir = path.join(scratch, name, 'cache');
    const blobDir = path.join(scratch, name, 'scratch');
    const worker = ['--import', 'tsx', 'apps/worker/src/main.ts'];
    const launch = netns ? inNetworkNamespace(netns.bridges, [process.execPath, ...worker]) : { command: process.execPath, args: worker, env: {} };
    const process_ = spawnService(name, launch.command, launch.args, {
      ...launch.env,
      ...s3.env,
      NODE_ENV: 'test',
      DATABASE_URL: c.DATABASE_URL,
      DATABASE_SCHEMA: c.DATABASE_SCHEMA,
      REDIS_URL: c.REDIS_URL,
      QUEUE_PREFIX: c.QUEUE_PREFIX,
      BLOB_DIR: blobDir,
      BLOB_CACHE_DIR: cacheDir,
      BLOB_CACHE_MAX_BYTES: String(64 * 1024 * 1024),
      WORKER_QUEUES,
      WORKER_CONCURRENCY: '1',
      LOG_LEVEL: 'info',
    });
    hosts.push({ name, cacheDir, blobDir, process: process_ });
  }
  for (const host of hosts) {
    await waitFor(() => logLines(host, 'checkpoint ready').length > 0, `${host.name} to fetch the active checkpoint`, 60_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${host.process.output().slice(-4000)}`);
    });
  }
}, 120_000);

afterAll(async () => {
  for (const host of hosts) await host.process.stop();
  await closeBridges();
  await api?.close();
  await env?.close();
  await s3?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('workers on two hosts', () => {
  it('share one autogen run, each image processed exactly once, with nothing but the object store in common', async () => {
    const started = await trpcMutation<{ id: string }>(api.url, 'runs.start', { ...PARAMS, projectId }, cookie);
    expect(started.error).toBeUndefined();
    const runId = started.data!.id;
    const run = await waitFor(async () => {
      const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
      return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
    }, 'the autogen run to finish', 120_000, 200);
    expect(run).toMatchObject({ status: 'succeeded', done: imageIds.length, failed: 0 });

    const completedBy = () =>
      hosts.map((host) =>
        logLines(host, 'job completed')
          .filter((e) => e.job === 'autogen' && (e.payload as { runId: string }).runId === runId)
          .map((e) => (e.payload as { imageId: number }).imageId),
      );
    // a host logs "job completed" after the job's item is recorded: the run can read as finished a moment before the last line is out
    await waitFor(() => completedBy().flat().length >= imageIds.length || null, 'every autogen job to be logged as completed', 10_000, 100).catch(() => undefined);
    const doneBy = completedBy();
    console.log(`autogen images per host: ${hosts.map((h, i) => `${h.name} ${doneBy[i]!.length}`).join(', ')}`);
    // every image once, by exactly one host
    expect([...doneBy.flat()].sort((a, b) => a - b)).toEqual([...imageIds].sort((a, b) => a - b));
    expect(doneBy.every((images) => images.length > 0)).toBe(true);
    const items = await env.deps.db.runItem.findMany({ where: { runId } });
    expect(items.map((i) => i.status).sort()).toEqual(imageIds.map(() => 'done'));
    const masks = await env.deps.db.mask.count({ where: { runId } });
    const counter = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'fully_automatic' } } });
    expect(counter.masksAuto).toBe(masks);

    if (isolated) {
      // each in a network namespace of its own: neither ours nor the other's
      const namespaces = await Promise.all(hosts.map((h) => readlink(`/proc/${h.process.child.pid}/ns/net`)));
      expect(new Set([await readlink('/proc/self/ns/net'), ...namespaces]).size).toBe(3);
    }

    // each host read the checkpoint through the store into its own cache
    const active = await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: run.checkpointId! } });
    for (const host of hosts) {
      for (const file of ['manifest.json', 'encoder.onnx', 'decoder.onnx']) expect(existsSync(path.join(host.cacheDir, 'objects', active.bundleKey, file))).toBe(true);
      expect(existsSync(path.join(host.blobDir, active.bundleKey))).toBe(false);
    }
  }, SLOW_MACHINE_TIMEOUT_MS);

  it('both switch to a promoted checkpoint, each fetching its bundle through the store', async () => {
    // a second bundle: the built-in one under another name (another content hash)
    const dir = path.join(scratch, 'retrained');
    await cp(path.join(REPO_ROOT, 'models/default'), dir, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name: 'retrained on two hosts' }, null, 2));
    const previous = (await env.deps.db.checkpoint.findFirstOrThrow({ where: { status: 'active' } }));
    const candidate = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name: 'retrained on two hosts' });
    await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: candidate.id, reason: 'two-host test' });

    for (const host of hosts) {
      const switched = await waitFor(
        () => logLines(host, 'checkpoint switched').find((e) => e.checkpointId === candidate.id) ?? null,
        `${host.name} to switch to the promoted checkpoint`,
        60_000,
        100,
      );
      // the replaced bundle is no longer pinned in this host's cache
      expect(switched).toMatchObject({ name: 'retrained on two hosts', projectId: null, released: [previous.bundleKey] });
      expect(await readFile(path.join(host.cacheDir, 'objects', candidate.bundleKey, 'manifest.json'), 'utf8')).toContain('retrained on two hosts');
    }
    // a run started now uses the promoted checkpoint, on either host; prefill reads each image's
    // stored embedding, through the cache of the host that does the image
    const started = await trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'prefill', projectId, imageIds: imageIds.slice(0, 3), predIouThresh: 0.5, stabilityScoreThresh: 0.5 }, cookie);
    expect(started.error).toBeUndefined();
    const run = await waitFor(async () => {
      const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: started.data!.id } });
      return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
    }, 'the run on the promoted checkpoint to finish', 90_000, 200);
    expect(run).toMatchObject({ status: 'succeeded', done: 3, failed: 0, checkpointId: candidate.id });
    // the same encoder as before: the promoted checkpoint shares the stored embeddings (their key)
    const embeddings = await env.deps.db.embedding.findMany({ where: { checkpointId: candidate.id, imageId: { in: imageIds.slice(0, 3) } } });
    let cached = 0;
    for (const host of hosts) {
      const did = logLines(host, 'job completed')
        .filter((e) => e.job === 'prefill' && (e.payload as { runId: string }).runId === run.id)
        .map((e) => (e.payload as { imageId: number }).imageId);
      for (const embedding of embeddings.filter((e) => did.includes(e.imageId))) {
        expect(existsSync(path.join(host.cacheDir, 'objects', embedding.blobKey))).toBe(true);
        cached++;
      }
    }
    expect(cached).toBe(3);
  }, SLOW_MACHINE_TIMEOUT_MS);
});
