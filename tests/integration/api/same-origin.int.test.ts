// Cross-site request forgery, at the level of the headers a browser sends, against the real API:
// state-changing requests need a same-origin page (Sec-Fetch-Site, else Origin vs the host the
// request was sent to), binary routes their own Content-Type, and nothing changes on GET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '@dataengine/api';
import { createTestEnv, loginCookie, makeProject, makeUser, startTestApi, syntheticImageBytes, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
/** the same installation, believing no proxy (X-Forwarded-Host is then ignored) */
let untrusting: { url: string; close(): Promise<void> };
let manager: MadeUser;
let cookie: string;
let projectId: string;
let png: Uint8Array;

const PUBLIC_ORIGIN = 'https://data.example.com';

beforeAll(async () => {
  env = await createTestEnv({ PUBLIC_ORIGIN });
  api = await startTestApi(env.deps);
  untrusting = await startTestApi({ ...env.deps, trustedProxies: ['10.9.8.7'] });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  cookie = await loginCookie(api.url, manager.email, manager.password);
  png = await syntheticImageBytes({ seed: 5, width: 64, height: 48, format: 'png' });
});
afterAll(async () => {
  await untrusting?.close();
  await api?.close();
  await env?.close();
});

const host = () => new URL(api.url).host;
const projectCount = () => env.deps.db.project.count();
const imageCount = () => env.deps.db.image.count({ where: { projectId } });

async function createProject(headers: Record<string, string>, base = api.url) {
  const res = await fetch(`${base}/trpc/projects.create`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: `P ${Math.random().toString(36).slice(2, 8)}` }),
  });
  const body = (await res.json()) as { error?: { message: string; data: { appCode: string } } };
  return { status: res.status, message: body.error?.message ?? '', appCode: body.error?.data.appCode };
}

describe('state-changing requests from browsers', () => {
  it('are refused from another origin of the same site or another site (Sec-Fetch-Site), with a message saying why', async () => {
    const before = await projectCount();
    for (const site of ['same-site', 'cross-site']) {
      const res = await createProject({ 'sec-fetch-site': site, origin: 'http://127.0.0.1:9' });
      expect(res.status, site).toBe(403);
      expect(res.appCode).toBe('FORBIDDEN');
      expect(res.message).toMatch(/^cross-origin request refused: this request came from a page of another .*\(http:\/\/127\.0\.0\.1:9\)/);
      expect(res.message).toContain('ALLOWED_ORIGINS');
    }
    expect(await projectCount()).toBe(before);
  });

  it('are accepted from the same origin, or typed by the user (Sec-Fetch-Site none)', async () => {
    expect((await createProject({ 'sec-fetch-site': 'same-origin', origin: api.url })).status).toBe(200);
    expect((await createProject({ 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('without Sec-Fetch-Site, need an Origin naming the host the request was sent to', async () => {
    expect((await createProject({ origin: api.url })).status).toBe(200);
    expect((await createProject({ origin: 'http://127.0.0.1:9' })).status).toBe(403);
    expect((await createProject({ origin: `http://evil.example` })).status).toBe(403);
    const opaque = await createProject({ origin: 'null' });
    expect(opaque.status).toBe(403);
    expect(opaque.message).toContain('a page without an origin');
  });

  it("behind a trusted proxy (the web app), Origin is compared with the host the browser addressed (X-Forwarded-Host)", async () => {
    expect((await createProject({ origin: 'http://lan-box:3000', 'x-forwarded-host': 'lan-box:3000' })).status).toBe(200);
    expect((await createProject({ origin: 'http://lan-box:3001', 'x-forwarded-host': 'lan-box:3000' })).status).toBe(403);
    // the header counts only from a trusted proxy
    expect((await createProject({ origin: 'http://lan-box:3000', 'x-forwarded-host': 'lan-box:3000' }, untrusting.url)).status).toBe(403);
    expect((await createProject({ origin: untrusting.url }, untrusting.url)).status).toBe(200);
  });

  it('are accepted from the configured public origin (PUBLIC_ORIGIN) whatever the fetch site', async () => {
    expect((await createProject({ origin: PUBLIC_ORIGIN, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await createProject({ origin: 'https://data.example.com.evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });

  it('from programs (no Origin, no Sec-Fetch-Site: the CLI, scripts) are accepted', async () => {
    expect((await createProject({})).status).toBe(200);
  });

  it('are refused on the binary routes too, before anything is stored', async () => {
    const before = await imageCount();
    const upload = await fetch(`${api.url}/api/projects/${projectId}/images?name=x.png`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'image/png', 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:9' },
      body: png as unknown as BodyInit,
    });
    expect(upload.status).toBe(403);
    expect(((await upload.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/^cross-origin request refused/) });
    const importRes = await fetch(`${api.url}/api/projects/${projectId}/import?format=coco`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ images: [], annotations: [] }),
    });
    expect(importRes.status).toBe(403);
    expect(await imageCount()).toBe(before);
    expect(await env.deps.db.run.count({ where: { projectId, kind: 'import' } })).toBe(0);
  });

  it('logout from another site is refused and the session survives (no cookie-clearing answer)', async () => {
    const own = await loginCookie(api.url, manager.email, manager.password);
    const form = new FormData();
    form.append('x', '1');
    const res = await fetch(`${api.url}/trpc/auth.logout`, { method: 'POST', headers: { cookie: own, 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' }, body: form });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    const me = await fetch(`${api.url}/trpc/auth.me`, { headers: { cookie: own } });
    expect(me.status).toBe(200);
  });
});

describe('binary routes take only their own Content-Type', () => {
  it('an upload sent as text/plain, a form or without a type is refused (415); image/* and octet-stream are stored', async () => {
    const before = await imageCount();
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', null]) {
      const res = await fetch(`${api.url}/api/projects/${projectId}/images?name=t.png`, {
        method: 'POST',
        headers: { cookie, ...(type ? { 'content-type': type } : {}) },
        body: new Blob([png as BlobPart]),
      });
      expect(res.status, String(type)).toBe(415);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain('an image upload must be sent with Content-Type application/octet-stream, image/*');
    }
    expect(await imageCount()).toBe(before);
    const ok = await fetch(`${api.url}/api/projects/${projectId}/images?name=ok.png`, { method: 'POST', headers: { cookie, 'content-type': 'image/png' }, body: png as unknown as BodyInit });
    expect(ok.status).toBe(201);
    expect(await imageCount()).toBe(before + 1);
  });

  it('a text/plain COCO import is refused (415) and starts no run; application/json starts one', async () => {
    const doc = JSON.stringify({ images: [], annotations: [], categories: [] });
    const plain = await fetch(`${api.url}/api/projects/${projectId}/import?format=coco`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain;charset=UTF-8' }, body: doc });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: { message: string } }).error.message).toMatch(/^an annotation import must be sent with Content-Type application\/octet-stream, application\/json/);
    expect(await env.deps.db.run.count({ where: { projectId, kind: 'import' } })).toBe(0);
    const json = await fetch(`${api.url}/api/projects/${projectId}/import?format=coco`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: doc });
    expect(json.status).toBe(202);
    expect(await env.deps.db.run.count({ where: { projectId, kind: 'import' } })).toBe(1);
  });
});

describe('GET changes nothing', () => {
  it('no tRPC mutation answers a GET', async () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
    const mutations = Object.entries(procedures).filter(([, p]) => p._def.type === 'mutation').map(([path]) => path);
    expect(mutations).toContain('auth.logout');
    for (const path of mutations) {
      const res = await fetch(`${api.url}/trpc/${path}?input=${encodeURIComponent('{}')}`, { headers: { cookie } });
      expect(res.status, path).toBe(405);
    }
    expect((await fetch(`${api.url}/trpc/auth.me`, { headers: { cookie } })).status).toBe(200); // still signed in
  });
});

describe('response headers', () => {
  it('every API answer forbids framing, sniffing and referrers, and runs nothing as a page', async () => {
    for (const res of [await fetch(`${api.url}/healthz`), await fetch(`${api.url}/trpc/auth.me`), await fetch(`${api.url}/api/nowhere`)]) {
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('with COOKIE_SECURE the session cookie, and the one that clears it, are Secure', async () => {
    const secure = await startTestApi({ ...env.deps, cookieSecure: true });
    try {
      const res = await fetch(`${secure.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: manager.email, password: manager.password }) });
      const set = res.headers.get('set-cookie')!;
      expect(set).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
      const out = await fetch(`${secure.url}/trpc/auth.logout`, { method: 'POST', headers: { cookie: set.split(';')[0]!, 'content-type': 'application/json' }, body: '{}' });
      expect(out.headers.get('set-cookie')).toBe('de_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure');
    } finally {
      await secure.close();
    }
  });
});
