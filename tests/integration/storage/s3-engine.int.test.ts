// The engine on object storage: the API and a worker as their own processes with BLOB_STORE=s3
// against a real S3 server process (s3rver), each with its own local directories (nothing shared
// but PostgreSQL, Redis and the bucket). Upload → ingest → embed → annotate → export → autogen, and
// the object store stopped for 10 s in the middle of a run: jobs retry and the run completes.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmbeddingContentType } from '@dataengine/contracts';
import { registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { writeContractBundle } from '@dataengine/segment/testing';
import { S3BlobStore } from '@dataengine/storage';
import {
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  REPO_ROOT,
  spawnService,
  stackEnvFor,
  startApiProcess,
  startS3Server,
  syntheticImageBytes,
  trpcMutation,
  uploadBytes,
  waitFor,
  type ApiProcess,
  type S3Server,
  type ServiceProcess,
  type TestEnv,
} from '@dataengine/testing';

const PRESIGN_SECONDS = 3;
const W = 256;
const H = 192;

let s3: S3Server;
let env: TestEnv;
let api: ApiProcess;
let worker: ServiceProcess;
let tmp: string;
let projectId: string;
let managerCookie: string;
let annotatorCookie: string;
let opsCookie: string;
let firstExportId: string;

const localFiles = async (dir: string) => (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

async function upload(seed: number): Promise<number> {
  const res = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed, width: W, height: H, format: 'png' }), managerCookie, `scene-${seed}.png`);
  if (res.status !== 201 && res.status !== 200) throw new Error(`upload refused (${res.status}): ${JSON.stringify(res.body)}`);
  return Number(res.body.image?.id ?? res.body.id);
}

const imageRow = (id: number) => env.deps.db.image.findUniqueOrThrow({ where: { id } });

async function finished(runId: string, timeoutMs = 90_000) {
  return waitFor(async () => {
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
  }, `run ${runId} to finish`, timeoutMs, 200);
}

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = await mkdtemp(path.join(os.tmpdir(), 's3-engine-'));
  env = await createTestEnv({ ...s3.env, BLOB_CACHE_DIR: path.join(tmp, 'test-cache') });
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'built-in', activate: true });
  // each process its own local directories: the bucket is the only place bytes are shared
  const own = (name: string) => ({ ...s3.env, BLOB_DIR: path.join(tmp, name, 'blobs'), BLOB_CACHE_DIR: path.join(tmp, name, 'cache') });
  api = await startApiProcess(env, { ...own('api'), LOG_LEVEL: 'error', S3_PRESIGN_SECONDS: String(PRESIGN_SECONDS) });
  worker = spawnService('worker', path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['apps/worker/src/main.ts'], { ...stackEnvFor(env), ...own('worker'), WORKER_CONCURRENCY: '2' });
  await waitFor(() => worker.output().includes('"worker started"'), 'the worker process to start', 60_000, 100);
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  managerCookie = await loginCookie(api.url, manager.email, manager.password);
  annotatorCookie = await loginCookie(api.url, annotator.email, annotator.password);
  opsCookie = await loginCookie(api.url, ops.email, ops.password);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await env?.close();
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the engine with BLOB_STORE=s3 (API and worker processes, s3rver process)', () => {
  let imageId: number;

  it('uploads into the bucket and ingests there, with no bytes in any local blob directory', async () => {
    // the worker said at start-up that it reached the bucket
    await waitFor(() => worker.output().includes('"object storage ready"'), 'the worker to report the store', 10_000, 100);
    imageId = await upload(1);
    expect(((await (await fetch(`${api.url}/readyz`)).json()) as { checks: unknown }).checks).toEqual({ postgres: 'ok', redis: 'ok', objectStorage: 'ok' });
    const ready = await waitFor(async () => {
      const row = await imageRow(imageId);
      return row.status === 'ready' ? row : row.status === 'failed' ? Promise.reject(new Error(row.error ?? 'failed')) : null;
    }, 'the image to be ingested', 60_000, 100);
    const store = env.deps.blobs as S3BlobStore;
    expect(store).toBeInstanceOf(S3BlobStore);
    expect(await store.stat(ready.blobKey)).toMatchObject({ size: expect.any(Number) });
    expect(await store.stat(ready.thumbKey!)).not.toBeNull();
    expect(await localFiles(path.join(tmp, 'api', 'blobs'))).toEqual([]);
    expect(await localFiles(path.join(tmp, 'worker', 'blobs'))).toEqual([]);
    // the API streams the original back from the bucket
    const file = await fetch(`${api.url}/api/images/${imageId}/file`, { headers: { cookie: annotatorCookie } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(await store.get(ready.blobKey))).toBe(true);
  }, 90_000);

  it('answers image requests with a redirect to a short-lived presigned GET, after the access checks', async () => {
    const res = await fetch(`${api.url}/api/images/${imageId}/thumbnail`, { headers: { cookie: annotatorCookie }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1])).toBeLessThan(PRESIGN_SECONDS);
    const location = res.headers.get('location')!;
    expect(new URL(location).origin).toBe(s3.endpoint);
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toBe('image/webp');
    const row = await imageRow(imageId);
    expect(Buffer.from(await direct.arrayBuffer()).equals(await env.deps.blobs.get(row.thumbKey!))).toBe(true);
    // no session, no redirect
    expect((await fetch(`${api.url}/api/images/${imageId}/thumbnail`, { redirect: 'manual' })).status).toBe(401);
    // and the URL stops working once it expires
    await new Promise((resolve) => setTimeout(resolve, (PRESIGN_SECONDS + 1) * 1000));
    expect((await fetch(location)).status).toBe(403);
  }, 30_000);

  it('computes the embedding on the worker and serves it from the bucket', async () => {
    const res = await waitFor(async () => {
      const r = await fetch(`${api.url}/api/images/${imageId}/embedding`, { headers: { cookie: annotatorCookie }, redirect: 'follow' });
      return r.status === 200 ? r : null;
    }, 'the embedding to be computed', 60_000, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const row = await env.deps.db.embedding.findFirstOrThrow({ where: { imageId } });
    expect(bytes.length).toBe(Number(row.byteSize));
    expect((await env.deps.blobs.get(row.blobKey)).equals(bytes)).toBe(true);
    // straight from the bucket (a presigned redirect), described by its Content-Type
    expect(res.url.startsWith(s3.endpoint)).toBe(true);
    expect(parseEmbeddingContentType(res.headers.get('content-type'))).toEqual({ dtype: 'float16', shape: [1, 256, 64, 64], checkpointId: row.checkpointId, imageWidth: W, imageHeight: H });
  }, 90_000);

  it('saves an annotator mask and exports the project from the bucket', async () => {
    const data = new Uint8Array(W * H);
    for (let y = 20; y < 60; y++) data.fill(1, y * W + 30, y * W + 90);
    const segmentation = compressRle(encodeMask({ width: W, height: H, data }));
    const saved = await trpcMutation<{ id: string; area: number }>(api.url, 'masks.save', { imageId, segmentation, activeMs: 3_000, clicks: 2 }, annotatorCookie);
    expect(saved.status, JSON.stringify(saved.error)).toBe(200);
    expect(saved.data!.area).toBe(40 * 60);

    const start = await trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'export', projectId, format: 'coco-rle', includeImages: false }, managerCookie);
    expect(start.status, JSON.stringify(start.error)).toBe(200);
    const run = await finished(start.data!.id);
    expect(run).toMatchObject({ status: 'succeeded' });
    firstExportId = run.id;
    const artifact = await fetch(`${api.url}/api/runs/${run.id}/artifact`, { headers: { cookie: managerCookie } });
    expect(artifact.status).toBe(200);
    const coco = JSON.parse(Buffer.from(await artifact.arrayBuffer()).toString('utf8')) as { annotations: Array<{ area: number; image_id: number }> };
    expect(coco.annotations.map((a) => a.area)).toEqual([40 * 60]);
  }, 120_000);

  it('runs an autogen run on the worker (bundle files from the bucket through its cache)', async () => {
    const params = { kind: 'autogen', projectId, preset: 'sam-default', overrides: { pointsPerSide: 4, predIouThresh: 0.25, stabilityScoreThresh: 0.3 }, allowEarlierStages: true };
    const start = await trpcMutation<{ id: string }>(api.url, 'runs.start', params, opsCookie);
    expect(start.status, JSON.stringify(start.error)).toBe(200);
    const run = await finished(start.data!.id);
    expect(run).toMatchObject({ status: 'succeeded', done: 1, failed: 0 });
    expect(await localFiles(path.join(tmp, 'worker', 'cache'))).not.toEqual([]);
  }, 120_000);

  it('survives the object store stopped for 10 s mid-run: jobs retry, every image is ingested, nothing lost', async () => {
    const ids: number[] = [];
    for (const seed of [21, 22, 23, 24, 25, 26]) ids.push(await upload(seed));
    // the export of the project is queued too, then the store goes away under both
    const exportStart = await trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'export', projectId, format: 'coco-rle', includeImages: true }, managerCookie);
    expect(exportStart.status, JSON.stringify(exportStart.error)).toBe(200);
    await s3.pause();
    const pausedAt = Date.now();
    // while the store is down, the API answers 503 with a clear message for what needs bytes
    const down = await fetch(`${api.url}/api/runs/${firstExportId}/artifact`, { headers: { cookie: managerCookie } });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { message: string } }).error.message).toMatch(/object storage \(S3\) is unreachable; try again shortly/);
    // /readyz reports the store and stays ready: sign-in, queues and mask saves need no stored bytes
    const readiness = (await (await fetch(`${api.url}/readyz`)).json()) as { ready: boolean; checks: { objectStorage?: string } };
    expect(readiness.ready).toBe(true);
    expect(readiness.checks.objectStorage).toMatch(/^unreachable: object storage at .* is unreachable/);
    await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() - pausedAt)));
    await s3.resume();

    const rows = await waitFor(async () => {
      const all = await Promise.all(ids.map(imageRow));
      return all.every((r) => r.status !== 'pending') ? all : null;
    }, 'every image to be ingested', 90_000, 250);
    expect(rows.map((r) => [r.id, r.status, r.error])).toEqual(ids.map((id) => [id, 'ready', null]));
    for (const r of rows) expect(await env.deps.blobs.stat(r.thumbKey!)).not.toBeNull();
    const exported = await finished(exportStart.data!.id);
    expect(exported).toMatchObject({ status: 'succeeded' });
    // the jobs did meet the outage (the worker logged the store's errors) and retried
    expect(worker.output()).toMatch(/object storage at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
  }, 150_000);
});
