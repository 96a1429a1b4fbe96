// Before a simulation touches anything: PostgreSQL and Redis answer, the database exists and is
// migrated. Each failure is one line that says what to do.
import { Redis } from 'ioredis';
import type { AppConfig } from '@dataengine/config';
import { ensureDatabase, isDatabaseUnavailableError, migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { CliError } from '../cli-command.types';

const CONNECT_TIMEOUT_MS = 5_000;

const where = (url: string) => {
  const u = new URL(url);
  return `${u.hostname || '127.0.0.1'}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
};

async function checkDatabase(url: string): Promise<void> {
  try {
    await ensureDatabase(url, { connectTimeoutMs: CONNECT_TIMEOUT_MS });
  } catch (error) {
    const message = (error as Error).message;
    if (isDatabaseUnavailableError(error)) throw new CliError(`PostgreSQL is not reachable at ${where(url)} (${message}); start it (docker compose up -d postgres) or set DATABASE_URL`);
    throw new CliError(`PostgreSQL at ${where(url)} refused to check or create the database (${message}); check DATABASE_URL (user, password, database name)`);
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
  await checkDatabase(config.DATABASE_URL);
  const result = await migrate({ connectionString: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, migrationsDir: MIGRATIONS_DIR });
  return result.applied.length;
}
