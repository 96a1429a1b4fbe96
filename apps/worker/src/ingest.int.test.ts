// The ingest job end to end: API upload → Redis → worker → rows, blobs and run counts.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { addRunItems, createRun, ingestImage } from '@dataengine/engine';
import {
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  trpcQuery,
  uploadBytes,
  waitFor,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let manager: MadeUser;
let cookie: string;
let projectId: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  cookie = await loginCookie(api.url, manager.email, manager.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

describe('ingest job end to end', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker(env.config, createLogger({ service: 'test-worker' }, 'error'));
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('processes an upload batch: thumbnails, ready images, run counts', async () => {
    const batch = await trpcMutation<{ id: string }>(api.url, 'runs.beginUpload', { projectId, files: 3 }, cookie);
    expect(batch.status).toBe(200);
    const runId = batch.data!.id;
    const ids: number[] = [];
    for (const seed of [21, 22, 23]) {
      const res = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed, width: 640, height: 480, format: 'png' }), cookie, `s${seed}.png`, `&runId=${runId}`);
      expect(res.status).toBe(201);
      ids.push(res.body.image.id);
    }
    const run = await waitFor(async () => {
      const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
      return r.status === 'succeeded' ? r : null;
    }, 'the ingest run to succeed');
    expect(run).toMatchObject({ total: 3, done: 3, failed: 0, kind: 'ingest' });
    expect(run.finishedAt).toBeInstanceOf(Date);
    for (const id of ids) {
      const image = await env.deps.db.image.findUniqueOrThrow({ where: { id } });
      expect(image.status).toBe('ready');
      expect(image.ingestedAt).toBeInstanceOf(Date);
      const thumb = await fetch(`${api.url}/api/images/${id}/thumbnail`, { headers: { cookie } });
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
      expect(Math.max(meta.width!, meta.height!)).toBe(env.config.THUMBNAIL_SIZE);
    }
    const page = await trpcQuery<{ items: { id: number; thumbUrl: string | null }[] }>(api.url, 'images.list', { projectId, limit: 50 }, cookie);
    expect(page.data!.items.filter((i) => ids.includes(i.id)).every((i) => i.thumbUrl !== null)).toBe(true);
  });

  it('counts every image of a run exactly once even when its jobs run twice', async () => {
    const image = await env.deps.db.image.findFirstOrThrow({ where: { projectId, status: 'ready' } });
    const run = await createRun(env.deps, { kind: 'ingest', projectId, createdById: manager.id, total: 1 });
    await addRunItems(env.deps, run.id, [image.id]);
    await ingestImage(env.deps, { imageId: image.id, runId: run.id });
    await ingestImage(env.deps, { imageId: image.id, runId: run.id });
    const after = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after).toMatchObject({ total: 1, done: 1, failed: 0, status: 'succeeded' });
  });

  it('serves the original with caching headers and answers 304 to a matching ETag', async () => {
    const image = await env.deps.db.image.findFirstOrThrow({ where: { projectId } });
    const res = await fetch(`${api.url}/api/images/${image.id}/file`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(image.byteSize);
    const etag = res.headers.get('etag')!;
    expect(res.headers.get('cache-control')).toContain('immutable');
    const again = await fetch(`${api.url}/api/images/${image.id}/file`, { headers: { cookie, 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});
