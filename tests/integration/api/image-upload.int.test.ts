// Upload, validation, dedupe and the ingest job end to end, against real PostgreSQL and Redis.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun } from '@dataengine/engine';
import {
  createTestEnv,
  flatImageBytes,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  uploadBytes,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let manager: MadeUser;
let cookie: string;
let projectId: string;

beforeAll(async () => {
  env = await createTestEnv({ UPLOAD_MAX_PIXELS: String(4_000_000) });
  api = await startTestApi(env.deps);
  manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  cookie = await loginCookie(api.url, manager.email, manager.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const storedFiles = async () => (await readdir(env.config.blobDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
const imageCount = () => env.deps.db.image.count({ where: { projectId } });

describe('image upload', () => {
  it('stores a good image content-addressed and records its size and hash', async () => {
    const bytes = await syntheticImageBytes({ seed: 7, width: 400, height: 300 });
    const res = await uploadBytes(api.url, projectId, bytes, cookie, 'scene-7.jpg');
    expect(res.status).toBe(201);
    expect(res.body.duplicate).toBe(false);
    expect(res.body.image).toMatchObject({ fileName: 'scene-7.jpg', mime: 'image/jpeg', width: 400, height: 300, status: 'pending', byteSize: bytes.length });
    const row = await env.deps.db.image.findUniqueOrThrow({ where: { id: res.body.image.id } });
    expect(row.blobKey).toBe(`images/${row.contentHash.slice(0, 2)}/${row.contentHash.slice(2, 4)}/${row.contentHash}.jpg`);
    expect((await env.deps.blobs.get(row.blobKey)).equals(bytes)).toBe(true);
    const counter = await env.deps.db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage: 'assisted_manual' } } });
    expect(counter.imagesTotal).toBe(1);
  });

  it('deduplicates by content hash within the project', async () => {
    const bytes = await syntheticImageBytes({ seed: 7, width: 400, height: 300 });
    const before = await imageCount();
    const res = await uploadBytes(api.url, projectId, bytes, cookie, 'same-again.jpg');
    expect(res.status).toBe(200);
    expect(res.body.duplicate).toBe(true);
    expect(res.body.image.fileName).toBe('scene-7.jpg');
    expect(await imageCount()).toBe(before);
  });

  it('rejects a file that is not an image, with a clear message, storing nothing', async () => {
    const before = { rows: await imageCount(), files: (await storedFiles()).length };
    const res = await uploadBytes(api.url, projectId, new TextEncoder().encode('%PDF-1.7 this is a document, not a picture'), cookie, 'report.jpg');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(res.body.error.message).toBe('this file is not an image we can read; upload JPEG, PNG, WebP or TIFF');
    // the technical part stays out of the message, behind the answer's details
    expect(res.body.error.details.detail).toMatch(/^it starts with the bytes 255044462d312e37 \("%PDF-1\.7 this is"\)/);
    expect(await imageCount()).toBe(before.rows);
    expect((await storedFiles()).length).toBe(before.files);
  });

  it('rejects a truncated PNG, storing nothing', async () => {
    const png = await syntheticImageBytes({ seed: 8, width: 300, height: 200, format: 'png' });
    const before = { rows: await imageCount(), files: (await storedFiles()).length };
    const res = await uploadBytes(api.url, projectId, png.subarray(0, Math.floor(png.length * 0.6)), cookie, 'cut.png');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('UNPROCESSABLE');
    expect(res.body.error.message).toBe('this image is damaged or truncated (cut short); export it again from the original and upload that');
    expect(res.body.error.details.detail).toMatch(/^decoding failed: /);
    expect(await imageCount()).toBe(before.rows);
    expect((await storedFiles()).length).toBe(before.files);
  });

  it('rejects an image above the pixel limit, naming its size and the limit', async () => {
    const huge = await flatImageBytes(2500, 2000); // 5 MP against a 4 MP limit
    const before = { rows: await imageCount(), files: (await storedFiles()).length };
    const res = await uploadBytes(api.url, projectId, huge, cookie, 'huge.png');
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('2500×2000 (5.0 MP), above the limit of 4.0 MP');
    expect(await imageCount()).toBe(before.rows);
    expect((await storedFiles()).length).toBe(before.files);
  });

  it('refuses an empty body and an unauthenticated upload', async () => {
    expect((await uploadBytes(api.url, projectId, new Uint8Array(0), cookie)).status).toBe(400);
    const anon = await fetch(`${api.url}/api/projects/${projectId}/images`, { method: 'POST', body: 'x' });
    expect(anon.status).toBe(401);
  });
});


describe('upload batches', () => {
  it('count a refused file as failed, so the batch still finishes', async () => {
    const run = await createRun(env.deps, { kind: 'ingest', projectId, createdById: manager.id, total: 1 });
    const res = await uploadBytes(api.url, projectId, new TextEncoder().encode('not an image at all'), cookie, 'notes.txt', `&runId=${run.id}`);
    expect(res.status).toBe(415);
    const after = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after).toMatchObject({ total: 1, done: 0, failed: 1, status: 'failed' });
    expect(after.error).toMatch(/^notes\.txt: this file is not an image we can read; upload JPEG, PNG, WebP or TIFF$/);
  });
});
