// Asking for work again really queues it: a request joins a live job of the same key (and makes
// it at least as urgent), and a job that already completed or failed never swallows a new request.
// Real API, Redis, worker and blob store.
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import {
  addSyntheticImages,
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  uploadBytes,
  waitFor,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let tmp: string;
let manager: MadeUser;
let annotatorCookie: string;
let managerCookie: string;
let projectId: string;
let checkpointId: string;
let redis: Redis;
let worker: RunningWorker | undefined;

const queue = (name: string) => new Queue(name, { connection: redis, prefix: env.config.QUEUE_PREFIX });
const consume = async (queues: string) => {
  worker = await startWorker({ ...env.config, WORKER_QUEUES: queues, WORKER_CONCURRENCY: 1 }, createLogger({ service: 'test-worker' }, 'error'));
};
const stopWorker = async () => {
  await worker?.stop();
  worker = undefined;
};
const embedding = (imageId: number) => fetch(`${api.url}/api/images/${imageId}/embedding`, { headers: { cookie: annotatorCookie } });

/** Jobs of a queue for one image that are still to run or running. */
async function liveJobsFor(queueName: string, imageId: number): Promise<number> {
  const q = queue(queueName);
  try {
    const jobs = await q.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
    return jobs.filter((j) => j.data.imageId === imageId).length;
  } finally {
    await q.close();
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  redis = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bundles-'));
  checkpointId = (await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'contract', activate: true })).id;
  manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  annotatorCookie = await loginCookie(api.url, annotator.email, annotator.password);
  managerCookie = await loginCookie(api.url, manager.email, manager.password);
});
afterAll(async () => {
  await stopWorker();
  redis?.disconnect();
  await api?.close();
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('re-enqueueing', () => {
  it('a lease promotes the waiting priority-50 backfill embed of its image: it is embedded first', async () => {
    // ingest queues a backfill embed (priority 50) per image; no embed worker runs yet
    const ids = await addSyntheticImages(env.deps, manager, { projectId, seeds: [41, 42, 43, 44], width: 96, height: 64 });
    const [first, second, third, last] = ids as [number, number, number, number];
    const embedQueue = queue('embed');
    const waiting = await embedQueue.getJobs(['prioritized']);
    await embedQueue.close();
    expect(waiting.map((j) => [j.data.imageId, j.priority]).sort()).toEqual(ids.map((id) => [id, 50]).sort());

    // the annotator leases the last image (its task comes first), and waits for its embedding
    await env.deps.db.task.updateMany({ where: { imageId: last }, data: { priority: 10 } });
    const leased = await trpcMutation<{ image: { id: number } }>(api.url, 'tasks.next', { projectId }, annotatorCookie);
    expect(leased.data?.image.id).toBe(last);

    await consume('embed');
    await waitFor(async () => (await env.deps.db.embedding.count({ where: { checkpointId } })) === ids.length, 'every image to be embedded');
    const order = (await env.deps.db.embedding.findMany({ where: { checkpointId }, orderBy: { id: 'asc' }, select: { imageId: true } })).map((e) => e.imageId);
    // leased (1), then the two next of the queue (prefetch, 5), then the rest (backfill, 50)
    expect(order).toEqual([last, first, second, third]);
    await stopWorker();
  });

  it('after a failed embed, asking for the embedding again queues a new attempt that succeeds', async () => {
    const [imageId] = (await addSyntheticImages(env.deps, manager, { projectId, seeds: [45], width: 96, height: 64 })) as [number];
    const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId } });
    const original = await env.deps.blobs.localPath(image.blobKey);
    // the stored original is unreadable for a while: every try of the embed job fails
    await rename(original, `${original}.away`);
    const q = queue('embed');
    try {
      await consume('embed');
      expect((await embedding(imageId)).status).toBe(202);
      await waitFor(async () => (await q.getFailed()).some((j) => j.data.imageId === imageId), 'the embed job to fail for good', 30_000, 200);
      expect(await liveJobsFor('embed', imageId)).toBe(0);

      await rename(`${original}.away`, original);
      const again = await embedding(imageId);
      expect(again.status).toBe(202);
      // 202 "queued" means a job is queued (or already done)
      expect((await liveJobsFor('embed', imageId)) + (await env.deps.db.embedding.count({ where: { imageId, checkpointId } }))).toBeGreaterThan(0);
      const res = await waitFor(async () => {
        const r = await embedding(imageId);
        return r.status === 200 ? r : null;
      }, 'the new attempt to compute the embedding', 30_000, 200);
      expect(res.headers.get('x-checkpoint-id')).toBe(checkpointId);
    } finally {
      await q.close();
      await stopWorker();
    }
  });

  it('a re-upload of an image whose ingest failed ingests it again (and restores its lost original)', async () => {
    const bytes = await syntheticImageBytes({ seed: 46, width: 96, height: 64, format: 'png' });
    const first = await uploadBytes(api.url, projectId, bytes, managerCookie, 'lost.png');
    expect(first.status).toBe(201);
    const imageId = first.body.image.id as number;
    const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId } });
    // the original went missing before ingest ran: ingest fails the image for good
    await rm(await env.deps.blobs.localPath(image.blobKey));
    await consume('ingest');
    try {
      const failed = await waitFor(async () => {
        const row = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId } });
        return row.status === 'failed' ? row : null;
      }, 'ingest to fail');
      expect(failed.error).toMatch(/stored original .* is missing/);

      const again = await uploadBytes(api.url, projectId, bytes, managerCookie, 'lost.png');
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
      const ready = await waitFor(async () => {
        const row = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId } });
        return row.status === 'ready' ? row : null;
      }, 'the re-upload to be ingested', 20_000);
      expect(ready).toMatchObject({ error: null, width: 96, height: 64 });
      expect(ready.thumbKey).toBeTruthy();
    } finally {
      await stopWorker();
    }
  });
});

describe('enqueueMany', () => {
  it('queues a page of jobs in one call, each with the catalog options, and joins a live job of the same key', async () => {
    // no worker consumes ingest here: the jobs stay waiting
    const ids = [900_001, 900_002, 900_003];
    const live = await env.deps.jobs.enqueue('ingest', { imageId: ids[0]! });
    const queued = await env.deps.jobs.enqueueMany('ingest', ids.map((imageId) => ({ imageId })));
    expect(queued).toHaveLength(3);
    expect(queued[0]).toBe(live); // joined, not queued twice
    expect(new Set(queued).size).toBe(3);
    for (const imageId of ids) expect(await liveJobsFor('ingest', imageId)).toBe(1);
    const q = queue('ingest');
    try {
      const job = await q.getJob(queued[2]!);
      expect(job?.data).toEqual({ imageId: ids[2] });
      expect(job?.opts.attempts).toBe((await q.getJob(live))?.opts.attempts);
      expect(job?.opts.deduplication?.id).toBeTruthy();
      await Promise.all(queued.map(async (id) => (await q.getJob(id))?.remove()));
    } finally {
      await q.close();
    }
    expect(await env.deps.jobs.enqueueMany('ingest', [])).toEqual([]);
    await expect(env.deps.jobs.enqueueMany('ingest', [{ imageId: -1 }])).rejects.toThrow(/invalid payload for job ingest/);
  });
});
