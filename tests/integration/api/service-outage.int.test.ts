// The API answers 503 with a clear body while Redis or PostgreSQL is unreachable, and recovers by
// itself when they return. Uses a private redis-server on a spare port; the shared one is untouched.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineRuntime } from '@dataengine/engine';
import { createLogger, loadConfig } from '@dataengine/config';
import {
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  trpcQuery,
  uploadBytes,
  waitFor,
  type TestEnv,
} from '@dataengine/testing';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(async () => {
    const { Redis } = await import('ioredis');
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } finally {
      probe.disconnect();
    }
  }, `redis-server on port ${port}`);
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('when Redis goes away', () => {
  let env: TestEnv;
  let redis: ChildProcess;
  let port: number;
  let api: { url: string; close(): Promise<void> };
  let cookie: string;
  let projectId: string;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    env = await createTestEnv({ REDIS_URL: `redis://127.0.0.1:${port}` });
    api = await startTestApi(env.deps);
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
    cookie = await loginCookie(api.url, manager.email, manager.password);
    await waitFor(() => env.deps.redis.status === 'ready', 'the producer connection');
  });
  afterAll(async () => {
    await api?.close();
    await env?.close();
    if (redis) await stopRedis(redis);
  });

  it('is ready while both services answer', async () => {
    const res = await fetch(`${api.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('answers 503 with a clear body, then recovers by itself when Redis returns', async () => {
    await stopRedis(redis);
    await waitFor(() => env.deps.redis.status !== 'ready', 'the client to notice Redis is gone');

    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    const body = (await ready.json()) as { ready: boolean; checks: { postgres: string; redis: string } };
    expect(body.ready).toBe(false);
    expect(body.checks.postgres).toBe('ok');
    expect(body.checks.redis).toMatch(/^unreachable/);

    const upload = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed: 11 }), cookie, 'during-outage.jpg');
    expect(upload.status).toBe(503);
    expect(upload.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(upload.body.error.message).toMatch(/job queue \(Redis\) is unreachable/);
    // the bytes the user sent are kept: the image row exists and will be queued on retry
    expect(await env.deps.db.image.count({ where: { projectId } })).toBe(1);

    redis = await startRedis(port);
    await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 200, 'the API to become ready again', 20_000);
    const retry = await uploadBytes(api.url, projectId, await syntheticImageBytes({ seed: 11 }), cookie, 'during-outage.jpg');
    expect(retry.status).toBe(200);
    expect(retry.body.duplicate).toBe(true);
    const { Queue } = await import('bullmq');
    const queue = new Queue('ingest', { connection: { host: '127.0.0.1', port }, prefix: env.config.QUEUE_PREFIX });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    await queue.close();
  });
});

describe('when PostgreSQL is unreachable', () => {
  it('answers 503 with a clear body instead of a 500', async () => {
    const port = await freePort(); // nothing listens here
    const config = loadConfig({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/nowhere`, LOG_LEVEL: 'error', BLOB_DIR: '/tmp/unused-blobs' });
    const runtime = createEngineRuntime(config, createLogger({ service: 'test' }, 'error'));
    const api = await startTestApi({ ...runtime.deps, cookieSecure: false, queuePrefix: config.QUEUE_PREFIX });
    try {
      const res = await trpcQuery(api.url, 'projects.list', undefined, 'de_session=whatever');
      expect(res.status).toBe(503);
      expect(res.error?.message).toMatch(/database \(PostgreSQL\) is unreachable/);
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { postgres: string } }).checks.postgres).toMatch(/^unreachable/);
    } finally {
      await api.close();
      await runtime.close();
    }
  });
});
