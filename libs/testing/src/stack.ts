// Starts the product's three processes (api, worker, web) as child processes — used by the demo
// and by the browser tests, so both run exactly what a user runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function spawnService(name: string, command: string, args: string[], env: Record<string, string>, options: { echo?: boolean } = {}): ServiceProcess {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let log = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    log = (log + text).slice(-200_000);
    if (options.echo) for (const line of text.split('\n').filter(Boolean)) process.stdout.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    name,
    child,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const tsxBin = () => path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const nextBin = () => path.join(REPO_ROOT, 'node_modules/.bin/next');

export interface StackOptions {
  /** Environment shared by api and worker: DATABASE_URL, DATABASE_SCHEMA, REDIS_URL, QUEUE_PREFIX, BLOB_DIR… */
  env: Record<string, string>;
  apiPort: number;
  webPort: number;
  /** Added to the web process's environment (e.g. BLOB_STORE and S3_PUBLIC_ENDPOINT for its CSP). */
  webEnv?: Record<string, string>;
  echo?: boolean;
}

export interface Stack {
  apiUrl: string;
  webUrl: string;
  services: ServiceProcess[];
  stop(): Promise<void>;
}

/** Builds the web app when it has no production build yet. */
export async function ensureWebBuild(options: { force?: boolean; echo?: boolean } = {}): Promise<void> {
  const buildId = path.join(REPO_ROOT, 'apps/web/.next/BUILD_ID');
  if (!options.force && existsSync(buildId)) return;
  const build = spawnService('web-build', nextBin(), ['build', 'apps/web'], { NEXT_TELEMETRY_DISABLED: '1' }, { echo: options.echo });
  const code = await new Promise<number | null>((resolve) => build.child.on('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${build.output().slice(-4000)}`);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const apiUrl = `http://127.0.0.1:${options.apiPort}`;
  const webUrl = `http://127.0.0.1:${options.webPort}`;
  const common = { ...options.env, API_PORT: String(options.apiPort), API_HOST: '127.0.0.1' };
  const services = [
    spawnService('api', tsxBin(), ['apps/api/src/main.ts'], common, { echo: options.echo }),
    spawnService('worker', tsxBin(), ['apps/worker/src/main.ts'], common, { echo: options.echo }),
    spawnService('web', nextBin(), ['start', 'apps/web', '-p', String(options.webPort), '-H', '127.0.0.1'], {
      ...options.webEnv,
      API_INTERNAL_URL: apiUrl,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
    }, { echo: options.echo }),
  ];
  const stop = async () => {
    await Promise.all(services.map((s) => s.stop()));
  };
  try {
    for (const service of services) {
      service.child.once('exit', (code, signal) => {
        // 143 = 128 + SIGTERM: Next exits that way when asked to stop
        if (code && code !== 0 && code !== 143 && !signal) process.stderr.write(`[${service.name}] exited with ${code}\n${service.output().slice(-3000)}\n`);
      });
    }
    await waitFor(async () => (await fetch(`${apiUrl}/readyz`)).ok, 'the API to be ready', 60_000, 250);
    await waitFor(() => services[1]!.output().includes('"worker started"'), 'the worker to start', 60_000, 250);
    await waitFor(async () => (await fetch(`${webUrl}/login`)).ok, 'the web app to serve /login', 90_000, 250);
  } catch (error) {
    const logs = services.map((s) => `--- ${s.name} ---\n${s.output().slice(-3000)}`).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
  return { apiUrl, webUrl, services, stop };
}

/** Distinct free loopback ports: all listeners stay open until every port is known. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The installation's settings as the processes' environment (its schema, queue prefix, blobs). */
export function stackEnvFor(env: { schema: string; config: { DATABASE_URL: string; REDIS_URL: string; QUEUE_PREFIX: string; blobDir: string } }): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: env.config.DATABASE_URL,
    DATABASE_SCHEMA: env.schema,
    REDIS_URL: env.config.REDIS_URL,
    QUEUE_PREFIX: env.config.QUEUE_PREFIX,
    BLOB_DIR: env.config.blobDir,
    // info: startStack waits for the worker's "worker started" line
    LOG_LEVEL: 'info',
  };
}

/**
 * api, worker and web of an isolated installation on free ports (the web build must be fresh);
 * `extra.env` is added to the api's and worker's environment, `extra.webEnv` to the web app's.
 */
export async function startEnvStack(env: Parameters<typeof stackEnvFor>[0], extra: { env?: Record<string, string>; webEnv?: Record<string, string> } = {}): Promise<Stack> {
  const [apiPort, webPort] = (await freePorts(2)) as [number, number];
  return startStack({ env: { ...stackEnvFor(env), ...extra.env }, apiPort, webPort, webEnv: extra.webEnv });
}
