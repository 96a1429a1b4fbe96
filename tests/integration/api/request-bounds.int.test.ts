// Request bodies are bounded: /trpc refuses an oversized body (413) or batch (400) from its headers,
// before reading it, whoever sends it; the binary routes keep their own limits. /healthz stays
// responsive meanwhile.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestImage, uploadImage } from '@dataengine/engine';
import { compressRle, encodeMask, rleToString } from '@dataengine/segment';
import { createTestEnv, loginCookie, makeProject, makeUser, rawPost, startTestApi, syntheticImageBytes, trpcMutation, type RawPostResult, type TestEnv } from '@dataengine/testing';

const SIZE = { width: 64, height: 48 };
const UPLOAD_MAX_BYTES = 1024 * 1024;
let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let cookie: string;
let managerCookie: string;
let projectId: string;
let imageId: number;

beforeAll(async () => {
  env = await createTestEnv({ UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) });
  api = await startTestApi(env.deps);
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  const { image } = await uploadImage(env.deps, manager, { projectId, fileName: 'a.png', body: Readable.from([await syntheticImageBytes({ seed: 4, ...SIZE, format: 'png' })]) });
  await ingestImage(env.deps, { imageId: image.id });
  imageId = image.id;
  cookie = await loginCookie(api.url, annotator.email, annotator.password);
  managerCookie = await loginCookie(api.url, manager.email, manager.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

/** Runs `work` while polling /healthz; the slowest /healthz answer meanwhile. */
async function withHealthProbe<T>(work: () => Promise<T>): Promise<{ result: T; slowestHealthMs: number }> {
  let done = false;
  let slowest = 0;
  const probe = (async () => {
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${api.url}/healthz`);
      await res.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    return { result: await work(), slowestHealthMs: slowest };
  } finally {
    done = true;
    await probe;
  }
}

const trpcMessage = (res: RawPostResult) => (JSON.parse(res.body) as { error: { message: string } }).error.message;

describe('/trpc bodies', () => {
  it('refuses an unauthenticated 100 MB sign-in body with 413, unread, while /healthz keeps answering', async () => {
    const { result, slowestHealthMs } = await withHealthProbe(() => rawPost(api.url, '/trpc/auth.login', { bytes: 100 * 1024 * 1024, prefix: '{"email":"a@b.c","password":"' }));
    expect(result.status).toBe(413);
    expect(trpcMessage(result)).toMatch(/request body is 104857600 bytes; the API accepts at most 4194304 bytes per request \(TRPC_MAX_BODY_BYTES\)/);
    expect(result.ms).toBeLessThan(1_000);
    expect(result.bytesSent).toBeLessThan(50 * 1024 * 1024);
    expect(result.headers['connection']).toBe('close');
    expect(slowestHealthMs).toBeLessThan(500);
  });

  it('refuses a body without Content-Length once it passes the limit, with a clear message', async () => {
    const result = await rawPost(api.url, '/trpc/auth.login', { bytes: 6 * 1024 * 1024, chunked: true, prefix: '{"email":"a@b.c","password":"' });
    expect(result.status).toBe(413);
    expect(trpcMessage(result)).toMatch(/^the request body is too large; the API accepts at most \d+ bytes per request \(TRPC_MAX_BODY_BYTES\)/);
  });

  it('still takes bodies without Content-Length under the limit (the web app\'s proxy sends them so)', async () => {
    const body = Buffer.from(JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password' }));
    const result = await rawPost(api.url, '/trpc/auth.login', { body, chunked: true });
    expect(result.status).toBe(401);
  });

  it('refuses a mask padded with 40M empty runs in milliseconds, /healthz unaffected', async () => {
    const data = new Uint8Array(SIZE.width * SIZE.height);
    data.fill(1, 100, 900);
    const { counts } = encodeMask({ ...SIZE, data });
    const head = rleToString(counts.slice(0, 2));
    const padded = head + '0'.repeat(40_000_000) + rleToString(counts).slice(head.length);
    const body = Buffer.from(JSON.stringify({ imageId, segmentation: { size: [SIZE.height, SIZE.width], counts: padded }, activeMs: 1, clicks: 1 }));
    const { result, slowestHealthMs } = await withHealthProbe(() => rawPost(api.url, '/trpc/masks.save', { body, headers: { cookie } }));
    expect(result.status).toBe(413);
    expect(trpcMessage(result)).toMatch(/TRPC_MAX_BODY_BYTES/);
    expect(result.bytesSent).toBeLessThan(body.length);
    expect(result.ms).toBeLessThan(1_000);
    expect(slowestHealthMs).toBeLessThan(500);
    // a 10 MB one too; nothing was stored
    const tenMb = await trpcMutation(api.url, 'masks.save', { imageId, segmentation: { size: [SIZE.height, SIZE.width], counts: head + '0'.repeat(10_000_000) + rleToString(counts).slice(head.length) }, activeMs: 1, clicks: 1 }, cookie);
    expect(tenMb.status).toBe(413);
    expect(tenMb.error!.message).toMatch(/TRPC_MAX_BODY_BYTES/);
    expect(await env.deps.db.mask.count({ where: { imageId } })).toBe(0);
    const ok = await trpcMutation(api.url, 'masks.save', { imageId, segmentation: compressRle(encodeMask({ ...SIZE, data })), activeMs: 1, clicks: 1 }, cookie);
    expect(ok.status).toBe(200);
  });
});

describe('/trpc batches', () => {
  const batch = (n: number) => `/trpc/${Array.from({ length: n }, () => 'auth.me').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`;

  it('answers a batch of 50 calls and refuses 51 before running any, saying how many are allowed', async () => {
    const ok = await fetch(`${api.url}${batch(50)}`, { headers: { cookie } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(50);
    const refused = await fetch(`${api.url}${batch(51)}`, { headers: { cookie } });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/batches 51 calls; at most 50 are accepted in one request/);
    const huge = await fetch(`${api.url}/trpc/${Array.from({ length: 2_000 }, () => 'a').join(',')}?batch=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(huge.status).toBe(400);
  });
});

describe('binary routes keep their limits', () => {
  it('an upload declaring more than UPLOAD_MAX_BYTES is refused (413) before it is read; a chunked one once it passes the limit', async () => {
    const declared = await rawPost(api.url, `/api/projects/${projectId}/images?name=big.png`, { bytes: 64 * 1024 * 1024, headers: { cookie: managerCookie, 'content-type': 'image/png' } });
    expect(declared.status).toBe(413);
    expect(declared.bytesSent).toBeLessThan(32 * 1024 * 1024);
    const chunked = await rawPost(api.url, `/api/projects/${projectId}/images?name=big.png`, { bytes: 3 * UPLOAD_MAX_BYTES, chunked: true, headers: { cookie: managerCookie, 'content-type': 'image/png' } });
    expect(chunked.status).toBe(413);
    expect(await env.deps.db.image.count({ where: { projectId } })).toBe(1);
  });

  it('an unauthenticated 100 MB upload is refused without being read', async () => {
    const result = await rawPost(api.url, `/api/projects/${projectId}/images?name=big.png`, { bytes: 100 * 1024 * 1024, headers: { 'content-type': 'image/png' } });
    expect(result.status).toBe(401);
    expect(result.ms).toBeLessThan(1_000);
    expect(result.bytesSent).toBeLessThan(50 * 1024 * 1024);
  });
});
