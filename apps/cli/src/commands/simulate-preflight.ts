// Before a simulation touches anything: PostgreSQL and Redis answer, the database exists and is
// migrated. Each failure is one line that says what to do.
import { Redis } from 'ioredis';
import pg from 'pg';
import type { AppConfig } from '@dataengine/config';
import { migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { CliError } from '../cli-command.types';

const CONNECT_TIMEOUT_MS = 5_000;

const where = (url: string) => {
  const u = new URL(url);
  return `${u.hostname || '127.0.0.1'}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
};

/** Creates the configured database when the server has none of that name (a fresh installation). */
async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (error) {
    throw new CliError(`PostgreSQL is not reachable at ${where(url)} (${(error as Error).message}); start it (docker compose up -d postgres) or set DATABASE_URL`);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported through connect() below
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new CliError(`Redis is not reachable at ${where(url)} (${(error as Error).message}); start it (docker compose up -d redis) or set REDIS_URL`);
  } finally {
    redis.disconnect();
  }
}

/** Returns the number of migrations applied now. */
export async function prepareInstallation(config: AppConfig): Promise<number> {
  await checkRedis(config.REDIS_URL);
  await ensureDatabase(config.DATABASE_URL);
  const result = await migrate({ connectionString: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, migrationsDir: MIGRATIONS_DIR });
  return result.applied.length;
}
