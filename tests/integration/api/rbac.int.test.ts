// Every access rule the API enforces, exercised over real HTTP against real PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
const users: Record<'admin' | 'ops' | 'managerA' | 'managerB' | 'annotatorA' | 'outsider', MadeUser> = {} as never;
const cookies: Record<keyof typeof users, string> = {} as never;
let projectA: string;
let projectB: string;
let imageB: number;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  const db = env.deps.db;
  users.admin = await makeUser(db, { role: 'admin' });
  users.ops = await makeUser(db, { role: 'ops' });
  users.managerA = await makeUser(db, { role: 'manager' });
  users.managerB = await makeUser(db, { role: 'manager' });
  users.annotatorA = await makeUser(db, { role: 'annotator' });
  users.outsider = await makeUser(db, { role: 'annotator' });
  projectA = (await makeProject(db, { createdBy: users.managerA, name: 'Project A', members: [{ user: users.annotatorA, role: 'annotator' }] })).id;
  projectB = (await makeProject(db, { createdBy: users.managerB, name: 'Project B' })).id;
  for (const key of Object.keys(users) as (keyof typeof users)[]) cookies[key] = await loginCookie(api.url, users[key].email, users[key].password);
  const up = await uploadBytes(api.url, projectB, await syntheticImageBytes({ seed: 3 }), cookies.managerB, 'b.jpg');
  expect(up.status).toBe(201);
  imageB = up.body.image.id;
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const projectIds = async (who: keyof typeof users) =>
  ((await trpcQuery<{ id: string }[]>(api.url, 'projects.list', undefined, cookies[who])).data ?? []).map((p) => p.id).sort();

describe('who sees which projects', () => {
  it('annotators see only the projects they are members of', async () => {
    expect(await projectIds('annotatorA')).toEqual([projectA]);
    expect(await projectIds('outsider')).toEqual([]);
  });
  it('managers see their own projects; ops and admins see all', async () => {
    expect(await projectIds('managerA')).toEqual([projectA]);
    expect(await projectIds('ops')).toEqual([projectA, projectB].sort());
    expect(await projectIds('admin')).toEqual([projectA, projectB].sort());
  });
});

describe('denials', () => {
  it('an annotator calling an ops procedure gets FORBIDDEN and nothing starts', async () => {
    const res = await trpcMutation(api.url, 'runs.reingest', { projectId: projectA }, cookies.annotatorA);
    expect(res.status).toBe(403);
    expect(res.error?.message).toMatch(/needs the ops or admin role/);
    expect(await env.deps.db.run.count({ where: { kind: 'ingest', projectId: projectA } })).toBe(0);
  });

  it('ops may start that run', async () => {
    const res = await trpcMutation<{ kind: string; createdBy: string }>(api.url, 'runs.reingest', { projectId: projectB }, cookies.ops);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ kind: 'ingest', createdBy: users.ops.email });
  });

  it("a user reading another project's image by id is refused, over tRPC and the binary routes", async () => {
    const viaTrpc = await trpcQuery(api.url, 'images.get', { imageId: imageB }, cookies.annotatorA);
    expect(viaTrpc.status).toBe(403);
    expect(viaTrpc.error?.message).toMatch(/not a member/);
    for (const variant of ['file', 'thumbnail']) {
      const res = await fetch(`${api.url}/api/images/${imageB}/${variant}`, { headers: { cookie: cookies.managerA } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    expect((await trpcQuery(api.url, 'images.get', { imageId: imageB }, cookies.managerB)).status).toBe(200);
  });

  it("listing another project's images, uploading into it or managing its members is refused", async () => {
    expect((await trpcQuery(api.url, 'images.list', { projectId: projectB }, cookies.annotatorA)).status).toBe(403);
    expect((await uploadBytes(api.url, projectB, await syntheticImageBytes({ seed: 4 }), cookies.managerA)).status).toBe(403);
    expect((await trpcMutation(api.url, 'projects.addMember', { projectId: projectB, email: users.outsider.email, role: 'annotator' }, cookies.managerA)).status).toBe(403);
  });

  it('annotators cannot upload, add members, create projects, or list runs across projects', async () => {
    expect((await uploadBytes(api.url, projectA, await syntheticImageBytes({ seed: 5 }), cookies.annotatorA)).status).toBe(403);
    expect((await trpcMutation(api.url, 'projects.addMember', { projectId: projectA, email: users.outsider.email, role: 'annotator' }, cookies.annotatorA)).status).toBe(403);
    expect((await trpcMutation(api.url, 'projects.create', { name: 'Mine' }, cookies.annotatorA)).status).toBe(403);
    expect((await trpcQuery(api.url, 'runs.list', {}, cookies.annotatorA)).status).toBe(403);
    expect((await trpcMutation(api.url, 'users.create', { email: 'x@y.z', name: 'x', password: 'longenough', role: 'admin' }, cookies.managerA)).status).toBe(403);
  });

  it('a manager adds an annotator, who then sees the project', async () => {
    const res = await trpcMutation(api.url, 'projects.addMember', { projectId: projectA, email: users.outsider.email, role: 'annotator' }, cookies.managerA);
    expect(res.status).toBe(200);
    expect(await projectIds('outsider')).toEqual([projectA]);
  });

  it('calls without a session are UNAUTHORIZED', async () => {
    const res = await trpcQuery(api.url, 'projects.list', undefined);
    expect(res.status).toBe(401);
    expect(res.error?.message).toBe('you are not logged in');
    expect((await fetch(`${api.url}/api/images/${imageB}/file`)).status).toBe(401);
  });
});

describe('sessions', () => {
  it('a wrong password is refused without saying which part was wrong', async () => {
    const res = await trpcMutation(api.url, 'auth.login', { email: users.managerA.email, password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.error?.message).toBe('wrong e-mail or password');
  });

  it('the session cookie is httpOnly and SameSite', async () => {
    const res = await fetch(`${api.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: users.ops.email, password: users.ops.password }) });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=\d+/);
  });

  it('an expired session is refused with a message saying so, and is deleted', async () => {
    const cookie = await loginCookie(api.url, users.managerA.email, users.managerA.password);
    expect((await trpcQuery(api.url, 'auth.me', undefined, cookie)).status).toBe(200);
    const { createHash } = await import('node:crypto');
    const id = createHash('sha256').update(decodeURIComponent(cookie.split('=')[1]!)).digest('hex');
    await env.deps.db.session.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await trpcQuery(api.url, 'auth.me', undefined, cookie);
    expect(res.status).toBe(401);
    expect(res.error?.message).toBe('your session expired; log in again');
    expect(await env.deps.db.session.findUnique({ where: { id } })).toBeNull();
  });

  it('logout ends the session', async () => {
    const cookie = await loginCookie(api.url, users.managerB.email, users.managerB.password);
    expect((await trpcMutation(api.url, 'auth.logout', null, cookie)).status).toBe(200);
    expect((await trpcQuery(api.url, 'auth.me', undefined, cookie)).status).toBe(401);
  });
});
