// A worker follows checkpoint promotions: it fetches and opens the promoted bundle and reports it
// (log line and RunningWorker.checkpoints()), also for a promotion published while its Redis
// connection was down.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { promoteCheckpoint, registerCheckpoint, SYSTEM_ACTOR, type CheckpointRow } from '@dataengine/engine';
import { createTestEnv, REPO_ROOT, startTcpProxy, waitFor, type TcpProxy, type TestEnv } from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

let env: TestEnv;
let proxy: TcpProxy;
let worker: RunningWorker;
let scratch: string;
let builtIn: CheckpointRow;
const lines: string[] = [];

const logged = (msg: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === msg);

/** The built-in bundle under another name: another content hash, another checkpoint. */
async function variant(name: string): Promise<CheckpointRow> {
  const dir = path.join(scratch, name.replace(/\W+/g, '-'));
  await cp(path.join(REPO_ROOT, 'models/default'), dir, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name }));
  return registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name });
}

beforeAll(async () => {
  env = await createTestEnv();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'follower-'));
  builtIn = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: path.join(REPO_ROOT, 'models/default'), activate: true });
  // the worker reaches Redis through a proxy this test can cut
  const redis = new URL(env.config.REDIS_URL);
  proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  const logger = createLogger({ service: 'follower-worker' }, 'info', (line) => lines.push(line));
  worker = await startWorker({ ...env.config, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, WORKER_QUEUES: 'embed' }, logger);
  await waitFor(() => logged('checkpoint ready').length > 0, 'the worker to open the active checkpoint', 30_000, 50);
});
afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
  await env?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a worker following promotions', () => {
  it('opens the promoted checkpoint and reports it', async () => {
    expect(worker.checkpoints()).toMatchObject([{ checkpointId: builtIn.id, projectId: null }]);
    const candidate = await variant('follower candidate');
    await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: candidate.id, reason: 'test' });
    const switched = await waitFor(() => logged('checkpoint switched').find((e) => e.checkpointId === candidate.id) ?? null, 'the switch', 30_000, 50);
    expect(switched).toMatchObject({ name: 'follower candidate', previous: builtIn.id });
    expect(worker.checkpoints()).toMatchObject([{ checkpointId: candidate.id, name: 'follower candidate' }]);
  });

  it('catches up with a promotion published while its Redis connection was down', async () => {
    const later = await variant('promoted during an outage');
    await proxy.cut();
    await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: later.id, reason: 'test' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(logged('checkpoint switched').some((e) => e.checkpointId === later.id)).toBe(false);
    await proxy.resume();
    await waitFor(() => logged('checkpoint switched').find((e) => e.checkpointId === later.id) ?? null, 'the switch after Redis came back', 30_000, 50);
    expect(worker.checkpoints()).toMatchObject([{ checkpointId: later.id }]);
  });
});
