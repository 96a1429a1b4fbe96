// Registering images in place from object storage, end to end against a real S3 server process
// (s3rver): objects put with the S3 client under a prefix, images.registerFromStore over HTTP, the
// worker lists the prefix, ingests each image from its object (thumbnail, embedding) without
// copying it into the store, reports what it could not take, and registering again adds nothing.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import type { RunDto } from '@dataengine/contracts';
import { getRegisterOptions, ingestImage, registerCheckpoint, registerFromStore, runRegisterListing, sweepRuns, SYSTEM_ACTOR, type EngineDeps } from '@dataengine/engine';
import { LocalBlobStore, type BlobStore, type ObjectSourceLister, type SourcePage } from '@dataengine/storage';
import {
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  REPO_ROOT,
  S3_SERVER_CREDENTIALS,
  startS3Server,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  trpcQuery,
  waitFor,
  type MadeUser,
  type S3Server,
  type TestEnv,
} from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

const PREFIX = 'datasets/shelf/';
let s3: S3Server;
let client: S3Client;
let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let worker: RunningWorker;
let manager: MadeUser;
let cookie: string;
let projectId: string;
let tmp: string;
/** the valid images put under the prefix: key → bytes */
const valid = new Map<string, Buffer>();

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const put = (key: string, body: Buffer | string) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

async function register(input: Record<string, unknown>) {
  return trpcMutation<RunDto>(api.url, 'images.registerFromStore', { projectId, ...input }, cookie);
}

async function finished(runId: string) {
  return waitFor(
    async () => {
      const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
    },
    'the registration to finish',
    90_000,
    200,
  );
}

beforeAll(async () => {
  s3 = await startS3Server();
  client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { ...S3_SERVER_CREDENTIALS } });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'register-s3-'));
  // the store keeps to store/ in the bucket; managers may register from datasets/ (and a bucket that does not exist)
  env = await createTestEnv({ ...s3.env, S3_PREFIX: 'store', REGISTER_SOURCES: `s3://${s3.bucket}/datasets/,s3://no-such-bucket`, BLOB_CACHE_DIR: path.join(tmp, 'cache'), S3_PRESIGN_SECONDS: '300' });
  api = await startTestApi(env.deps);
  manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  cookie = await loginCookie(api.url, manager.email, manager.password);
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models', 'default'), name: 'built-in default', activate: true });

  for (const [i, name] of ['a.jpg', 'b.png', 'c.JPG', 'sub/d.jpeg', 'sub/e.webp'].entries()) {
    const format = name.endsWith('png') ? 'png' : name.endsWith('webp') ? 'webp' : 'jpeg';
    const bytes = await syntheticImageBytes({ seed: 60 + i, width: 96 + 16 * i, height: 72, format });
    valid.set(PREFIX + name, bytes);
    await put(PREFIX + name, bytes);
  }
  await put(`${PREFIX}README.txt`, 'shelf photos, March');
  await put(`${PREFIX}shelf photo.jpg`, valid.get(`${PREFIX}b.png`)!); // a key an in-place image cannot be named by
  await put(`${PREFIX}notes.jpg`, 'not a picture at all');
  await put(`${PREFIX}broken.jpg`, valid.get(`${PREFIX}a.jpg`)!.subarray(0, 600));
  await put(`${PREFIX}copy-of-a.jpg`, valid.get(`${PREFIX}a.jpg`)!);
  await put('datasets/other/outside.jpg', valid.get(`${PREFIX}b.png`)!);
  worker = await startWorker({ ...env.config, WORKER_QUEUES: 'ingest,exchange,embed', WORKER_CONCURRENCY: 2 }, createLogger({ service: 'test-worker' }, 'error'));
}, 90_000);
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.close();
  client?.destroy();
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('registering images in place with BLOB_STORE=s3', () => {
  let firstIds: number[] = [];

  it('tells the form whether registering works here and from where', async () => {
    const options = await trpcQuery(api.url, 'images.registerOptions', { projectId }, cookie);
    expect(options.data).toEqual({ available: true, reason: null, defaultBucket: s3.bucket, sources: [`s3://${s3.bucket}/datasets/`, 's3://no-such-bucket/'] });
    const local: EngineDeps = { ...env.deps, blobs: new LocalBlobStore(path.join(tmp, 'local-blobs')) };
    expect(await getRegisterOptions(local, manager, { projectId })).toMatchObject({ available: false, reason: expect.stringMatching(/^registering images in place needs object storage/) });
    const off: EngineDeps = { ...env.deps, settings: { ...env.deps.settings, registerSources: [] } };
    expect(await getRegisterOptions(off, manager, { projectId })).toMatchObject({ available: false, reason: expect.stringMatching(/not enabled on this installation/), sources: [] });
  });

  it('registers every image object under a prefix: ready with thumbnails and embeddings, read in place, the bad ones reported', async () => {
    const started = await register({ prefix: PREFIX, split: 'train' });
    expect(started.error?.message).toBeUndefined();
    expect(started.data).toMatchObject({ kind: 'ingest', params: { source: 'register', bucket: s3.bucket, prefix: PREFIX, split: 'train' } });
    const run = await finished(started.data!.id);
    // 5 images + notes.jpg + broken.jpg; copy-of-a.jpg held a's bytes and was dropped as a duplicate
    expect({ status: run.status, total: run.total, done: run.done, failed: run.failed }).toEqual({ status: 'succeeded', total: 7, done: 5, failed: 2 });
    const result = run.result as { errors: { key: string; error: string }[]; listing: Record<string, unknown>; counts: Record<string, number> };
    expect(result.listing).toMatchObject({ listed: 10, registered: 8, alreadyRegistered: 0, skipped: 2, complete: true });
    expect(result.listing['skippedExamples']).toEqual([
      expect.stringMatching(/^datasets\/shelf\/README\.txt: not an image file name/),
      `${PREFIX}shelf photo.jpg: the key's part "shelf photo.jpg" cannot name an in-place image (each part: letters, digits, "_", "-" and ".", not leading); rename the object to register it`,
    ]);
    expect(result.counts['duplicates']).toBe(1);
    const errors = Object.fromEntries(result.errors.map((e) => [e.key, e.error]));
    expect(Object.keys(errors).sort()).toEqual([`s3://${s3.bucket}/${PREFIX}broken.jpg`, `s3://${s3.bucket}/${PREFIX}notes.jpg`]);
    expect(errors[`s3://${s3.bucket}/${PREFIX}notes.jpg`]).toMatch(/is not an image we can read .*only JPEG, PNG, WebP or TIFF objects can be registered/);
    expect(errors[`s3://${s3.bucket}/${PREFIX}broken.jpg`]).toMatch(/is damaged or truncated .*replace it in the bucket and register it again/);

    const images = await env.deps.db.image.findMany({ where: { projectId }, orderBy: { id: 'asc' } });
    const ready = images.filter((i) => i.status === 'ready');
    expect(ready.map((i) => i.blobKey).sort()).toEqual([...valid.keys()].map((k) => `sources/${s3.bucket}/${k}`).sort());
    for (const image of ready) {
      const bytes = valid.get(image.blobKey.slice(`sources/${s3.bucket}/`.length))!;
      expect(image).toMatchObject({ contentHash: sha256(bytes), byteSize: bytes.length, split: 'train', fileName: path.posix.basename(image.blobKey) });
      expect(image.width).toBeGreaterThan(0);
      expect(await env.deps.blobs.stat(image.thumbKey!)).not.toBeNull();
    }
    expect(images.filter((i) => i.status === 'failed').map((i) => i.fileName).sort()).toEqual(['broken.jpg', 'notes.jpg']);
    // nothing was copied into the store's own images/ (its thumbnails are there, under its prefix)
    expect(await env.deps.blobs.list('images')).toEqual([]);
    expect(await env.deps.blobs.list('thumbs')).toHaveLength(ready.length);
    // embeddings for the active checkpoint, as for uploads
    await waitFor(async () => (await env.deps.db.embedding.count({ where: { imageId: { in: ready.map((i) => i.id) } } })) === ready.length || null, 'the embeddings', 90_000, 250);
    // the browser's image URL redirects to a presigned GET of the object itself
    const image = ready[0]!;
    const res = await fetch(`${api.url}/api/images/${image.id}/file`, { headers: { cookie }, redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(new URL(location).pathname).toBe(`/${s3.bucket}/${image.blobKey.slice(`sources/${s3.bucket}/`.length)}`);
    expect(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(valid.get(new URL(location).pathname.slice(s3.bucket.length + 2))!)).toBe(true);
    firstIds = images.map((i) => i.id);
  }, 150_000);

  it('registering the same prefix again adds nothing (the failed objects are read again, and fail again)', async () => {
    const started = await register({ prefix: PREFIX });
    const run = await finished(started.data!.id);
    expect((run.result as { listing: unknown }).listing).toMatchObject({ listed: 10, alreadyRegistered: 5, retried: 2, skipped: 2 });
    expect({ total: run.total, done: run.done, failed: run.failed }).toEqual({ total: 2, done: 0, failed: 2 });
    const images = await env.deps.db.image.findMany({ where: { projectId }, select: { id: true }, orderBy: { id: 'asc' } });
    // copy-of-a.jpg was listed as new again and dropped as a duplicate again
    expect(images.map((i) => i.id)).toEqual(firstIds);
  }, 120_000);

  it('registers a list of keys: a new object becomes ready, one already held is skipped, a missing one fails saying so', async () => {
    const extra = await syntheticImageBytes({ seed: 77, width: 80, height: 80, format: 'png' });
    await put('datasets/extra/e1.png', extra);
    const started = await register({ keys: ['datasets/extra/e1.png', `${PREFIX}a.jpg`, 'datasets/extra/missing.jpg'], split: 'val' });
    const run = await finished(started.data!.id);
    expect({ total: run.total, done: run.done, failed: run.failed }).toEqual({ total: 2, done: 1, failed: 1 });
    expect((run.result as { listing: unknown }).listing).toMatchObject({ listed: 3, registered: 2, alreadyRegistered: 1 });
    expect((run.result as { errors: unknown }).errors).toEqual([
      { key: `s3://${s3.bucket}/datasets/extra/missing.jpg`, error: expect.stringMatching(/is missing \(deleted or moved\); put it back, or register its new key/) },
    ]);
    const e1 = await env.deps.db.image.findFirstOrThrow({ where: { projectId, blobKey: `sources/${s3.bucket}/datasets/extra/e1.png` } });
    expect(e1).toMatchObject({ status: 'ready', split: 'val', contentHash: sha256(extra) });
  }, 120_000);

  it('an object deleted or replaced after it was registered fails that image with a clear error, even though a copy is cached', async () => {
    const a = await env.deps.db.image.findFirstOrThrow({ where: { projectId, blobKey: `sources/${s3.bucket}/${PREFIX}a.jpg` } });
    await put(`${PREFIX}a.jpg`, await syntheticImageBytes({ seed: 99, width: 64, height: 64, format: 'jpeg' }));
    await expect(ingestImage(env.deps, { imageId: a.id })).rejects.toThrow(/changed since it was registered/);
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}b.png` }));
    const b = await env.deps.db.image.findFirstOrThrow({ where: { projectId, blobKey: `sources/${s3.bucket}/${PREFIX}b.png` } });
    await expect(ingestImage(env.deps, { imageId: b.id })).rejects.toThrow(/is missing \(deleted or moved since it was registered\)/);
    const rows = await env.deps.db.image.findMany({ where: { id: { in: [a.id, b.id] } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.status)).toEqual(['failed', 'failed']);
  }, 60_000);

  it('a prefix with no objects, a bucket that does not exist, a source ops did not allow and an oversized key list are refused at once, saying what to fix', async () => {
    const before = await env.deps.db.run.count();
    const empty = await register({ prefix: 'datasets/nope/' });
    expect(empty.status).toBe(404);
    expect(empty.error!.message).toBe(`no objects under s3://${s3.bucket}/datasets/nope/; check the prefix (keys are case-sensitive) and the bucket`);
    const noBucket = await register({ prefix: PREFIX, bucket: 'no-such-bucket' });
    expect(noBucket.status).toBe(404);
    expect(noBucket.error!.message).toMatch(/^bucket no-such-bucket does not exist at http:\/\/127\.0\.0\.1:\d+; check the bucket name$/);
    // the store's own keys (every project's images) are never a source; nor is anything ops did not list
    const storeOwn = await register({ prefix: 'store/images/' });
    expect(storeOwn.status).toBe(403);
    expect(storeOwn.error!.message).toBe(
      `s3://${s3.bucket}/store/images/ is outside the sources this installation allows (s3://${s3.bucket}/datasets/, s3://no-such-bucket/); register from inside one of them, or ask ops to add it to REGISTER_SOURCES`,
    );
    const someKeys = await register({ keys: [`${PREFIX}a.jpg`, 'elsewhere/x.jpg'] });
    expect(someKeys.status).toBe(403);
    expect(someKeys.error!.message).toMatch(new RegExp(`^s3://${s3.bucket}/elsewhere/x\\.jpg is outside the sources`));
    const notEnabled: EngineDeps = { ...env.deps, settings: { ...env.deps.settings, registerSources: [] } };
    await expect(registerFromStore(notEnabled, manager, { projectId, prefix: PREFIX, split: 'auto' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/^registering images from object storage is not enabled on this installation: ops list .* in REGISTER_SOURCES/),
    });
    const tooMany = await register({ keys: Array.from({ length: 1_001 }, (_, i) => `k/${i}.jpg`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.error!.message).toMatch(/at most 1000 keys per call; register a prefix for more/);
    // an installation whose blobs live on local disk cannot reference objects in place
    const local: EngineDeps = { ...env.deps, blobs: new LocalBlobStore(path.join(tmp, 'local-blobs')) };
    await expect(registerFromStore(local, manager, { projectId, prefix: PREFIX, split: 'auto' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/^registering images in place needs object storage: this installation keeps its blobs on local disk \(BLOB_STORE=local\)\. Upload the images instead/),
    });
    expect(await env.deps.db.run.count()).toBe(before);
  }, 30_000);
});

describe('a registration that lists many pages', () => {
  /**
   * The real store, its listings served two keys a page with opaque tokens (s3rver answers a
   * truncated listing with an error, so it cannot page itself); `failAt` makes one page request
   * fail once, as an outage would.
   */
  function pagedStore(store: BlobStore & ObjectSourceLister, failAt: { token: string | null } | null) {
    const requests: (string | null)[] = [];
    const listSourcePage = async (input: Parameters<ObjectSourceLister['listSourcePage']>[0]): Promise<SourcePage> => {
      requests.push(input.token);
      if (failAt && input.token === failAt.token) {
        failAt = null;
        throw new Error('object storage is unreachable (simulated)');
      }
      const all = await store.listSourcePage({ ...input, token: null });
      const offset = input.token === null ? 0 : Number(Buffer.from(input.token, 'base64url').toString().split(':')[1]);
      const next = offset + 2 < all.objects.length ? Buffer.from(`after:${offset + 2}`).toString('base64url') : null;
      return { objects: all.objects.slice(offset, offset + 2), nextToken: next };
    };
    return { blobs: Object.assign(Object.create(store) as BlobStore & ObjectSourceLister, { listSourcePage }), requests };
  }

  it('records each page\'s continuation token, resumes after the last page done when its job is retried, and registers every key once', async () => {
    const pagedProject = (await makeProject(env.deps.db, { createdBy: manager })).id;
    const keys = Array.from({ length: 7 }, (_, i) => `datasets/paged/p${i}.png`);
    for (const [i, key] of keys.entries()) await put(key, await syntheticImageBytes({ seed: 400 + i, width: 48, height: 40, format: 'png' }));
    const token = (offset: number) => Buffer.from(`after:${offset}`).toString('base64url');
    const paged = pagedStore(env.deps.blobs as BlobStore & ObjectSourceLister, { token: token(4) });
    // this test runs the listing job itself (with the paged store); the ingest jobs go to the worker
    const jobs = Object.assign(Object.create(env.deps.jobs) as EngineDeps['jobs'], {
      enqueue: (async (name, payload, options) => (name === 'register' ? 'held by the test' : env.deps.jobs.enqueue(name, payload, options))) as EngineDeps['jobs']['enqueue'],
    });
    const deps: EngineDeps = { ...env.deps, blobs: paged.blobs, jobs };
    const run = await registerFromStore(deps, manager, { projectId: pagedProject, prefix: 'datasets/paged/', split: 'auto' });
    paged.requests.length = 0;

    await expect(runRegisterListing(deps, { runId: run.id })).rejects.toThrow(/simulated/);
    const halfway = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(halfway.progress).toMatchObject({ listed: 4, registered: 4, nextToken: token(4) });
    expect(halfway.total).toBe(1 + 4); // the listing's slot and the four images of two pages

    await runRegisterListing(deps, { runId: run.id }); // the retry
    expect(paged.requests).toEqual([null, token(2), token(4), token(4), token(6)]);
    const done = await finished(run.id);
    expect({ status: done.status, total: done.total, done: done.done, failed: done.failed }).toEqual({ status: 'succeeded', total: 7, done: 7, failed: 0 });
    expect((done.result as { listing: unknown }).listing).toMatchObject({ listed: 7, registered: 7, alreadyRegistered: 0, complete: true });
    const rows = await env.deps.db.image.findMany({ where: { projectId: pagedProject }, select: { blobKey: true, status: true } });
    expect(rows.map((r) => r.blobKey).sort()).toEqual(keys.map((k) => `sources/${s3.bucket}/${k}`));
  }, 90_000);

  it('a registration whose listing job is gone part-way is closed by the run sweep on what it registered, saying to register again', async () => {
    const project = (await makeProject(env.deps.db, { createdBy: manager })).id;
    const paged = pagedStore(env.deps.blobs as BlobStore & ObjectSourceLister, { token: Buffer.from('after:2').toString('base64url') });
    const jobs = Object.assign(Object.create(env.deps.jobs) as EngineDeps['jobs'], {
      enqueue: (async (name, payload, options) => (name === 'register' ? 'held by the test' : env.deps.jobs.enqueue(name, payload, options))) as EngineDeps['jobs']['enqueue'],
    });
    const deps: EngineDeps = { ...env.deps, blobs: paged.blobs, jobs };
    const run = await registerFromStore(deps, manager, { projectId: project, prefix: 'datasets/paged/', split: 'auto' });
    await expect(runRegisterListing(deps, { runId: run.id })).rejects.toThrow(/simulated/); // and its job is never tried again
    await waitFor(async () => (await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } })).done === 2 || null, 'the first page to be ingested', 30_000, 100);
    expect(await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: 'running', total: 3 });
    await env.deps.db.$executeRawUnsafe(`UPDATE "runs" SET "created_at" = now() - interval '1 hour' WHERE "id" = '${run.id}'`);
    await env.deps.db.$executeRawUnsafe(`UPDATE "run_items" SET "updated_at" = now() - interval '1 hour' WHERE "run_id" = '${run.id}'`);
    await sweepRuns(env.deps, { stuckAfterMs: 60_000 });
    expect(await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: 'succeeded',
      total: 2,
      done: 2,
      error: 'the listing of this registration stopped before its end (its worker stopped and its job is gone); register the same prefix again: objects already registered are skipped',
    });
  }, 60_000);
});
