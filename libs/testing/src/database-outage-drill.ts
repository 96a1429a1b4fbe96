// A database outage under annotation load, against the real processes: the API and the worker are
// spawned with their PostgreSQL connections running through loopback proxies; annotators save
// masks in tight loops while (1) every backend of both processes is terminated with
// pg_terminate_backend (57P01, what a fast shutdown or an operator does), again and again for
// 1.5 s, and (2) PostgreSQL goes
// away for a few seconds (backends terminated, then every socket reset and connections refused,
// as in a restart or fail-over). Returns what was measured; the integration test asserts on it and
// bench/faults/db.fault.ts prints it.
import path from 'node:path';
import pg from 'pg';
import { compressRle, encodeMask } from '@dataengine/segment';
import { makeProject, makeUser, type MadeUser } from './factories';
import { loginCookie, uploadBytes } from './http-client';
import { startMaskSaveLoad, type SaveSample } from './mask-save-load';
import { freePorts, REPO_ROOT, spawnService, stackEnvFor, type ServiceProcess } from './stack';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { TEST_DATABASE_URL } from './test-database';
import { createTestEnv, type TestEnv } from './test-env';
import { syntheticImageBytes } from './test-images';
import { waitFor } from './wait-for';

export interface DatabaseOutageDrillOptions {
  annotators?: number;
  /** Steady load before, between and after the faults. */
  steadyMs?: number;
  /** How long PostgreSQL stays unreachable in the restart phase. */
  downMs?: number;
}

export interface OutagePhase {
  /** Backends of the API / worker terminated in the phase. */
  terminated: { api: number; worker: number };
  /** From the fault's end (the last terminate, or connections accepted again) to the first 200 of a save sent after it. */
  backTo200Ms: number | null;
  statuses: Record<string, number>;
}

export interface DatabaseOutageDrillResult {
  annotators: number;
  /** Why the drill stopped early (e.g. the API stopped answering), or null. */
  aborted: string | null;
  /** Acknowledged saves per second while nothing was failing. */
  steadySavesPerSecond: number;
  terminate: OutagePhase;
  restart: OutagePhase;
  /** An image uploaded after the outage was ingested by the worker. */
  ingestAfterOutage: boolean;
  statuses: Record<string, number>;
  /** 503 answers without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** Requests that got no HTTP answer at all (socket reset, timeout). */
  networkErrors: string[];
  acknowledged: number;
  /** Acknowledged saves whose mask is in the database (by client key). */
  acknowledgedStored: number;
  storedTotal: number;
  /** application_name of the API's and the worker's connections, as pg_stat_activity shows them. */
  applicationNames: string[];
  apiAlive: boolean;
  workerAlive: boolean;
  /** The processes' log lines about unhandled errors or crashes (should be none). */
  crashLines: string[];
  apiLogTail: string;
}

const IMAGE = { width: 64, height: 48 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINATE_ROUNDS = 15;
const TERMINATE_EVERY_MS = 100;

/** Backends whose client side is one of the proxy's upstream sockets, terminated with 57P01. */
async function terminateBackends(admin: pg.Client, proxy: TcpProxy): Promise<number> {
  const ports = proxy.upstreamPorts();
  if (ports.length === 0) return 0;
  const { rows } = await admin.query<{ ok: boolean }>(
    "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE client_addr = '127.0.0.1' AND client_port = ANY($1::int[]) AND pid <> pg_backend_pid()",
    [ports],
  );
  return rows.filter((r) => r.ok).length;
}

const tally = (samples: SaveSample[]) => {
  const out: Record<string, number> = {};
  for (const s of samples) out[String(s.status)] = (out[String(s.status)] ?? 0) + 1;
  return out;
};

export async function runDatabaseOutageDrill(options: DatabaseOutageDrillOptions = {}): Promise<DatabaseOutageDrillResult> {
  const annotators = options.annotators ?? 30;
  const steadyMs = options.steadyMs ?? 3_000;
  const downMs = options.downMs ?? 3_000;
  const env: TestEnv = await createTestEnv();
  const target = new URL(env.config.DATABASE_URL);
  const apiProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const workerProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = (proxy: TcpProxy) => {
    const url = new URL(env.config.DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return url.toString();
  };
  const [apiPort] = (await freePorts(1)) as [number];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const base = { ...stackEnvFor(env), API_PORT: String(apiPort), API_HOST: '127.0.0.1' };
  const tsx = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
  const services: ServiceProcess[] = [];
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const api = spawnService('api', tsx, ['apps/api/src/main.ts'], { ...base, DATABASE_URL: viaProxy(apiProxy) });
    const worker = spawnService('worker', tsx, ['apps/worker/src/main.ts'], { ...base, DATABASE_URL: viaProxy(workerProxy), WORKER_QUEUES: 'ingest' });
    services.push(api, worker);
    await waitFor(async () => (await fetch(`${apiUrl}/readyz`)).ok, 'the API to be ready', 60_000, 250);
    await waitFor(() => worker.output().includes('"worker started"'), 'the worker to start', 60_000, 250);

    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const people: MadeUser[] = [];
    for (let i = 0; i < annotators; i++) people.push(await makeUser(env.deps.db, { role: 'annotator' }));
    const projectId = (await makeProject(env.deps.db, { createdBy: manager, members: people.map((user) => ({ user, role: 'annotator' as const })) })).id;
    const managerCookie = await loginCookie(apiUrl, manager.email, manager.password);
    let seed = 100;
    /** An upload through the API, ingested by the worker: gives the worker database connections to lose. */
    const uploadAndIngest = async () => {
      const up = await uploadBytes(apiUrl, projectId, await syntheticImageBytes({ seed: seed++, ...IMAGE, format: 'png' }), managerCookie, `s${seed}.png`);
      if (up.status !== 201) throw new Error(`upload failed: ${up.status} ${JSON.stringify(up.body)}`);
      const id = up.body.image.id as number;
      await waitFor(async () => (await env.deps.db.image.findUnique({ where: { id } }))?.status === 'ready', 'the worker to ingest the upload', 30_000);
      return id;
    };
    const imageId = await uploadAndIngest();
    const cookies = await Promise.all(people.map((p) => loginCookie(apiUrl, p.email, p.password)));
    const mask = new Uint8Array(IMAGE.width * IMAGE.height);
    for (let y = 10; y < 30; y++) mask.fill(1, y * IMAGE.width + 8, y * IMAGE.width + 40);
    const segmentation = compressRle(encodeMask({ ...IMAGE, data: mask }));

    const load = startMaskSaveLoad({ apiUrl, savers: cookies.map((cookie) => ({ cookie, imageId, segmentation })) });
    const { samples, networkErrors, acknowledged } = load;
    const firstOkAfter = async (t: number, timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const ok = samples.find((s) => s.sentAt >= t && s.status === 200);
        if (ok) return ok.sentAt - t;
        await new Promise((r) => setTimeout(r, 20));
      }
      return null;
    };

    const emptyPhase = (): OutagePhase => ({ terminated: { api: 0, worker: 0 }, backTo200Ms: null, statuses: {} });
    let steadySavesPerSecond = 0;
    const terminatePhase = emptyPhase();
    const restartPhase = emptyPhase();
    let ingestAfterOutage = false;
    let aborted: string | null = null;
    try {
      // steady load
      const steadyFrom = performance.now();
      await sleep(steadyMs);
      steadySavesPerSecond = samples.filter((s) => s.status === 200).length / ((performance.now() - steadyFrom) / 1000);

      // 1. every backend terminated (57P01) while saves are in flight
      await uploadAndIngest();
      await waitFor(() => apiProxy.upstreamPorts().length > 0 && workerProxy.upstreamPorts().length > 0, 'both processes to hold connections', 10_000, 20);
      const t1 = performance.now();
      // a flapping server: every backend terminated again and again, the fresh ones too
      for (let round = 0; round < TERMINATE_ROUNDS; round++) {
        terminatePhase.terminated.api += await terminateBackends(admin, apiProxy);
        terminatePhase.terminated.worker += await terminateBackends(admin, workerProxy);
        await sleep(TERMINATE_EVERY_MS);
      }
      terminatePhase.backTo200Ms = await firstOkAfter(performance.now(), 15_000);
      await sleep(steadyMs);
      terminatePhase.statuses = tally(samples.filter((s) => s.sentAt >= t1));

      // 2. PostgreSQL goes away for downMs and comes back (restart / fail-over)
      await uploadAndIngest();
      const t2 = performance.now();
      const n2 = samples.length;
      restartPhase.terminated = { api: await terminateBackends(admin, apiProxy), worker: await terminateBackends(admin, workerProxy) };
      await Promise.all([apiProxy.cut(), workerProxy.cut()]);
      await sleep(downMs);
      await Promise.all([apiProxy.resume(), workerProxy.resume()]);
      restartPhase.backTo200Ms = await firstOkAfter(performance.now(), 15_000);
      await sleep(steadyMs);
      restartPhase.statuses = tally(samples.slice(n2).filter((s) => s.sentAt >= t2));
      // the worker still ingests after the outage
      await uploadAndIngest();
      ingestAfterOutage = true;
    } catch (error) {
      aborted = (error as Error).message;
    }

    await load.stop();
    const { rows: names } = await admin.query<{ application_name: string }>(
      "SELECT DISTINCT application_name FROM pg_stat_activity WHERE client_addr = '127.0.0.1' AND client_port = ANY($1::int[])",
      [[...apiProxy.upstreamPorts(), ...workerProxy.upstreamPorts()]],
    );
    const stored = await env.deps.db.mask.findMany({ where: { imageId }, select: { clientKey: true } });
    const storedKeys = new Set(stored.map((m) => m.clientKey));
    const crash = /Unhandled 'error' event|unhandledRejection|uncaughtException|Uncaught|ELIFECYCLE/;
    const crashLines = services.flatMap((s) => s.output().split('\n').filter((l) => crash.test(l)).map((l) => `[${s.name}] ${l.slice(0, 300)}`));
    return {
      annotators,
      aborted,
      steadySavesPerSecond,
      terminate: terminatePhase,
      restart: restartPhase,
      ingestAfterOutage,
      statuses: tally(samples),
      unavailableWithoutRetryAfter: samples.filter((s) => s.status === 503 && !s.retryAfter).length,
      networkErrors,
      acknowledged: acknowledged.length,
      acknowledgedStored: acknowledged.filter((k) => storedKeys.has(k)).length,
      storedTotal: stored.length,
      applicationNames: names.map((r) => r.application_name).sort(),
      apiAlive: api.child.exitCode === null && api.child.signalCode === null,
      workerAlive: worker.child.exitCode === null && worker.child.signalCode === null,
      crashLines,
      apiLogTail: api.output().slice(-4000),
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await admin.end();
    await Promise.all([apiProxy.close(), workerProxy.close()]);
    await env.close();
  }
}
