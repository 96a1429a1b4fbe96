// Nothing of one project reaches the users of another: a project's own checkpoint files, its
// server-sent events, embeddings computed for checkpoints the project does not use. Refusals are
// 403 and never name the project the caller is not a member of.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteCheckpoint, registerCheckpoint, SYSTEM_ACTOR, type CheckpointRow } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startTestApi, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let tmp: string;
let bundles = 0;
const users: Record<'admin' | 'ops' | 'annA' | 'annB', MadeUser> = {} as never;
const cookies: Record<string, string> = {};
let projectA: { id: string; name: string };
let projectB: { id: string; name: string };
let imageA: number;
let globalActive: CheckpointRow;
let ownOfB: CheckpointRow;

async function checkpoint(name: string, projectId: string | null): Promise<CheckpointRow> {
  const dir = await writeContractBundle(path.join(tmp, `bundle-${bundles++}`));
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name })); // its own bundle
  return registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name, projectId });
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cross-project-'));
  users.admin = await makeUser(env.deps.db, { role: 'admin' });
  users.ops = await makeUser(env.deps.db, { role: 'ops' });
  users.annA = await makeUser(env.deps.db, { role: 'annotator' });
  users.annB = await makeUser(env.deps.db, { role: 'annotator' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  projectA = await makeProject(env.deps.db, { createdBy: manager, name: 'Alpha Harbour', members: [{ user: users.annA, role: 'annotator' }] });
  projectB = await makeProject(env.deps.db, { createdBy: manager, name: 'Bravo Secret Site', members: [{ user: users.annB, role: 'annotator' }] });
  [imageA] = await addSyntheticImages(env.deps, manager, { projectId: projectA.id, seeds: [3], width: 64, height: 48 }) as [number];
  globalActive = await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: (await checkpoint('global r0', null)).id });
  ownOfB = await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: (await checkpoint('bravo r1', projectB.id)).id });
  for (const [key, user] of Object.entries(users)) cookies[key] = await loginCookie(api.url, user.email, user.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

const get = (url: string, who: string) => fetch(`${api.url}${url}`, { headers: { cookie: cookies[who]! } });

describe('checkpoint files', () => {
  it("a project's own checkpoint is served to its members, ops and admins only", async () => {
    for (const file of ['decoder.onnx', 'encoder.onnx', 'manifest.json']) {
      const refused = await get(`/api/checkpoints/${ownOfB.id}/files/${file}`, 'annA');
      expect(refused.status, file).toBe(403);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('FORBIDDEN');
      expect(body.error.message).toBe('this checkpoint belongs to a project you are not a member of');
      expect(body.error.message).not.toContain(projectB.name);
      for (const who of ['annB', 'ops', 'admin']) expect((await get(`/api/checkpoints/${ownOfB.id}/files/${file}`, who)).status, `${who} ${file}`).toBe(200);
    }
  });

  it('a global checkpoint is served to everyone signed in', async () => {
    for (const who of ['annA', 'annB']) expect((await get(`/api/checkpoints/${globalActive.id}/files/decoder.onnx`, who)).status).toBe(200);
    expect((await fetch(`${api.url}/api/checkpoints/${globalActive.id}/files/decoder.onnx`)).status).toBe(401);
  });
});

/** Collects the server-sent events of one user's browser. */
async function listen(who: string): Promise<{ events: { checkpointId: string; projectId: string | null }[]; close(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${api.url}/api/events`, { headers: { cookie: cookies[who]! }, signal: controller.signal });
  expect(res.status).toBe(200);
  const events: { checkpointId: string; projectId: string | null }[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)) as { checkpointId: string; projectId: string | null });
        }
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: () => controller.abort() };
}

describe('server-sent events', () => {
  it("a project's activations reach only those who may see the project; global ones everyone", async () => {
    const [a, b, admin] = [await listen('annA'), await listen('annB'), await listen('admin')];
    await new Promise((r) => setTimeout(r, 200)); // the shared subscriber is listening
    const bravo = await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: (await checkpoint('bravo r2', projectB.id)).id });
    const global = await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: (await checkpoint('global r1', null)).id });
    // events reach each browser in order, so once the global one is in, the project's one was decided
    await waitFor(() => [a, b, admin].every((l) => l.events.some((e) => e.checkpointId === global.id)), 'the global activation in every browser', 10_000);
    for (const l of [a, b, admin]) l.close();
    expect(a.events.map((e) => e.checkpointId)).toEqual([global.id]);
    expect(b.events.map((e) => e.checkpointId)).toEqual([bravo.id, global.id]);
    expect(admin.events.map((e) => e.checkpointId)).toEqual([bravo.id, global.id]);
    globalActive = global;
    ownOfB = bravo;
  });
});

describe('the embedding route', () => {
  const embedJobsFor = async (checkpointId: string) => {
    const redis = new URL(env.config.REDIS_URL);
    const queue = new Queue('embed', { connection: { host: redis.hostname, port: Number(redis.port || 6379) }, prefix: env.config.QUEUE_PREFIX });
    try {
      const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
      return jobs.filter((j) => (j.data as { checkpointId?: string }).checkpointId === checkpointId).length;
    } finally {
      await queue.close();
    }
  };

  it("refuses another project's checkpoint and queues nothing for it", async () => {
    const res = await get(`/api/images/${imageA}/embedding?checkpointId=${ownOfB.id}`, 'annA');
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('belongs to another project');
    expect(body.error.message).not.toContain(projectB.name);
    // not even ops: an image is never segmented with another project's model
    expect((await get(`/api/images/${imageA}/embedding?checkpointId=${ownOfB.id}`, 'ops')).status).toBe(403);
    expect(await embedJobsFor(ownOfB.id)).toBe(0);
  });

  it('computes on request only for the checkpoint the project uses, unless ops asks', async () => {
    const candidate = await checkpoint('global candidate', null);
    const refused = await get(`/api/images/${imageA}/embedding?checkpointId=${candidate.id}`, 'annA');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(`is not the one this project uses now ("${globalActive.name}")`);
    expect(await embedJobsFor(candidate.id)).toBe(0);

    const active = await get(`/api/images/${imageA}/embedding?checkpointId=${globalActive.id}`, 'annA');
    expect(active.status).toBe(202);
    expect(await embedJobsFor(globalActive.id)).toBeGreaterThan(0);

    const forOps = await get(`/api/images/${imageA}/embedding?checkpointId=${candidate.id}`, 'ops');
    expect(forOps.status).toBe(202);
    expect(await embedJobsFor(candidate.id)).toBe(1);
  });

  it('an unknown checkpoint is a 404', async () => {
    expect((await get(`/api/images/${imageA}/embedding?checkpointId=00000000-0000-4000-8000-000000000000`, 'annA')).status).toBe(404);
  });
});
