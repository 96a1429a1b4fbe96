// Set-up steps shared by `npm test` and `npm run demo`. Plain Node (no dependencies): these run
// before node_modules exists on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';

export const log = (msg) => console.log(`\x1b[36m[setup]\x1b[0m ${msg}`);

export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${result.status}`);
}

/** npm ci when node_modules is missing or older than package-lock.json. */
export function ensureNodeModules() {
  const marker = 'node_modules/.package-lock.json';
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
  if (stale) {
    log('installing npm packages (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  }
  if (!existsSync('libs/db/src/generated/prisma/client.ts')) {
    log('generating the Prisma client…');
    run('node', ['scripts/prisma-generate.mjs']);
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;

/** Installs Debian packages that are missing (as root; otherwise says what to run). */
export function ensureAptPackages(packages, why) {
  const missing = packages.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed') !== true);
  if (missing.length === 0) return;
  if (!isRoot()) throw new Error(`${why} needs the Debian packages ${missing.join(' ')}: run  sudo apt-get install -y ${missing.join(' ')}`);
  log(`installing ${missing.join(' ')} with apt (${why})…`);
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
}

export function canConnect(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await canConnect(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * Makes sure PostgreSQL and Redis answer at the given URLs. A local server that is installed but
 * stopped is started (the commands this machine kind documents); otherwise the error says how
 * to provide one (docker compose up -d).
 */
export async function ensureServices({ databaseUrl, redisUrl, start = true }) {
  const pg = new URL(databaseUrl);
  const redis = new URL(redisUrl);
  const pgHost = pg.hostname || '127.0.0.1';
  const pgPort = Number(pg.port || 5432);
  const redisHost = redis.hostname || '127.0.0.1';
  const redisPort = Number(redis.port || 6379);
  const local = (h) => ['127.0.0.1', 'localhost', '::1'].includes(h);
  const problems = [];

  if (!(await canConnect(pgHost, pgPort))) {
    if (start && local(pgHost) && existsSync('/usr/bin/pg_ctlcluster') && existsSync('/etc/postgresql')) {
      log('PostgreSQL is installed but not running: starting it…');
      const version = spawnSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    }
    if (!(await waitForPort(pgHost, pgPort, 15))) problems.push(`PostgreSQL is not reachable at ${pgHost}:${pgPort}`);
  }
  if (!(await canConnect(redisHost, redisPort))) {
    if (start && local(redisHost) && spawnSync('which', ['redis-server']).status === 0) {
      log('Redis is installed but not running: starting it…');
      spawnSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no'], { stdio: 'inherit' });
    }
    if (!(await waitForPort(redisHost, redisPort, 15))) problems.push(`Redis is not reachable at ${redisHost}:${redisPort}`);
  }
  if (problems.length) {
    throw new Error(
      `${problems.join('; ')}.\n` +
        '  Start them with Docker:   docker compose up -d postgres redis\n' +
        '  or point the product at your own servers with DATABASE_URL=postgresql://… and REDIS_URL=redis://…',
    );
  }
}
