// Embed jobs while the object store is down: a worker process with BLOB_STORE=s3 against a real S3
// server process (s3rver) that is stopped for 10 s, then for 30 s, while embeddings are queued. Every
// embedding is computed once the store is back and no job fails for good (a job's three ordinary
// tries would all have met the outage); a corrupt image or an encoder of the wrong shape still fails
// at its first try, saying why.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { jobCatalog } from '@dataengine/queue';
import { buildContractEncoder, writeContractBundle } from '@dataengine/segment/testing';
import {
  addSyntheticImages,
  createTestEnv,
  makeProject,
  makeUser,
  REPO_ROOT,
  spawnService,
  stackEnvFor,
  startS3Server,
  waitFor,
  type S3Server,
  type ServiceProcess,
  type TestEnv,
} from '@dataengine/testing';

let s3: S3Server;
let env: TestEnv;
let worker: ServiceProcess;
let tmp: string;
let connection: Redis;
let embedQueue: Queue;
let checkpointId: string;
/** A second checkpoint (another bundle), whose encoder the last test damages in the bucket. */
let otherCheckpoint: { id: string; bundleKey: string };
let imageIds: number[];
let resumedAt = 0;

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = await mkdtemp(path.join(os.tmpdir(), 's3-embed-outage-'));
  env = await createTestEnv({ ...s3.env, BLOB_CACHE_DIR: path.join(tmp, 'test-cache') });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  // no checkpoint is active, so neither ingest nor a promotion queues an embed job: the test does
  imageIds = await addSyntheticImages(env.deps, manager, { projectId, seeds: [31, 32, 33, 34, 35, 36, 37, 38, 39, 40], width: 160, height: 120 });
  checkpointId = (await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'candidate', activate: false })).id;
  otherCheckpoint = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'other'), 'with-detector'), name: 'other', activate: false });
  // its own local directories: it has no copy of the bundle or of any original, so every embed reads the bucket
  worker = spawnService('worker', path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['apps/worker/src/main.ts'], {
    ...stackEnvFor(env),
    ...s3.env,
    BLOB_DIR: path.join(tmp, 'worker', 'blobs'),
    BLOB_CACHE_DIR: path.join(tmp, 'worker', 'cache'),
    WORKER_QUEUES: 'embed',
    WORKER_CONCURRENCY: '2',
  });
  await waitFor(() => worker.output().includes('"worker started"'), 'the worker process to start', 90_000, 100).catch((error: Error) => {
    throw new Error(`${error.message}\n${worker.output().slice(-3000)}`);
  });
  connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  embedQueue = new Queue('embed', { connection, prefix: env.config.QUEUE_PREFIX });
}, 150_000);

afterAll(async () => {
  await embedQueue?.close();
  connection?.disconnect();
  await worker?.stop();
  await env?.close();
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Waits until every job has left the queue (completed or failed for good). */
async function settled(jobIds: string[], timeoutMs: number): Promise<Job[]> {
  return waitFor(async () => {
    const jobs = await Promise.all(jobIds.map((id) => embedQueue.getJob(id)));
    const states = await Promise.all(jobs.map((job) => job!.getState()));
    return states.every((state) => state === 'completed' || state === 'failed') ? (jobs as Job[]) : null;
  }, `${jobIds.length} embed jobs to finish`, timeoutMs, 250);
}

/** Stops the store, queues an embed for each image, brings the store back after `outageMs`. */
async function embedDuringOutage(ids: number[], outageMs: number): Promise<Job[]> {
  await s3.pause();
  const pausedAt = Date.now();
  const jobIds = await Promise.all(ids.map((imageId) => env.deps.jobs.enqueue('embed', { imageId, checkpointId })));
  await new Promise((resolve) => setTimeout(resolve, outageMs - (Date.now() - pausedAt)));
  resumedAt = Date.now();
  await s3.resume();
  return settled(jobIds, outageMs + 90_000);
}

async function expectEmbedded(ids: number[], jobs: Job[]): Promise<void> {
  expect(await Promise.all(jobs.map(async (job) => [job.data.imageId, await job.getState()]))).toEqual(ids.map((id) => [id, 'completed']));
  const rows = await env.deps.db.embedding.findMany({ where: { imageId: { in: ids }, checkpointId }, orderBy: { imageId: 'asc' } });
  expect(rows.map((r) => r.imageId)).toEqual(ids);
  // computed after the store came back (none existed before the outage)
  for (const row of rows) expect(row.createdAt.getTime()).toBeGreaterThan(resumedAt);
  for (const row of rows) expect((await env.deps.blobs.stat(row.blobKey))?.size).toBe(Number(row.byteSize));
  // each job met the outage for longer than a job's ordinary tries last: with only those, it would have failed for good
  for (const job of jobs) expect(job.attemptsMade).toBeGreaterThan(jobCatalog.embed.attempts);
}

describe('embed jobs with the object store down (worker process, s3rver process)', () => {
  it('ride out a 10 s outage: every embedding is computed, none fails for good', async () => {
    const ids = imageIds.slice(0, 4);
    await expectEmbedded(ids, await embedDuringOutage(ids, 10_000));
    expect(worker.output()).toMatch(/"job failed".*object storage at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
  }, 150_000);

  it('ride out a 30 s outage', async () => {
    const ids = imageIds.slice(4, 8);
    await expectEmbedded(ids, await embedDuringOutage(ids, 30_000));
  }, 180_000);

  it('fail a corrupt image at the first try, with a message that says what is wrong', async () => {
    const imageId = imageIds[8]!;
    const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId } });
    // the bucket's copy of the original is damaged (the worker has never downloaded it)
    await env.deps.blobs.put(image.blobKey, 'this is not a PNG any more');
    const [job] = await settled([await env.deps.jobs.enqueue('embed', { imageId, checkpointId })], 30_000);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toMatch(new RegExp(`^image ${imageId} cannot be decoded; delete it or upload it again: .*(unsupported image format|Input buffer|Input file)`, 'i'));
    expect(await env.deps.db.embedding.count({ where: { imageId } })).toBe(0);
  }, 60_000);

  it('fail on an encoder of the wrong shape at the first try, naming the checkpoint and the shape', async () => {
    const imageId = imageIds[9]!;
    // the bucket's copy of the bundle's encoder is replaced by one with a 32×32 embedding grid
    await env.deps.blobs.put(`${otherCheckpoint.bundleKey}/encoder.onnx`, buildContractEncoder({ embeddingSide: 32 }));
    const [job] = await settled([await env.deps.jobs.enqueue('embed', { imageId, checkpointId: otherCheckpoint.id })], 30_000);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toMatch(/^checkpoint other \([0-9a-f-]{36}\) cannot be opened; promote a working checkpoint: [\s\S]*encoder.onnx: output "image_embeddings" expected float32 \[1, 256, 64, 64\], found float32 \[1, 256, 32, 32\]/);
    expect(await env.deps.db.embedding.count({ where: { imageId } })).toBe(0);
  }, 60_000);
});
