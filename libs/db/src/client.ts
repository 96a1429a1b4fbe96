import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';

export interface DbOptions {
  connectionString: string;
  schema?: string;
  /** Pool size per process. */
  max?: number;
  /**
   * `application_name` of every connection, so `pg_stat_activity` shows who is connected (e.g.
   * `dataengine-api`). A non-public schema is appended (`dataengine-api/t_…`): test installations
   * sharing one server stay apart. PostgreSQL keeps the first 63 bytes.
   */
  applicationName?: string;
  /**
   * Called when an established connection fails outside a query (PostgreSQL restarted, the backend
   * was terminated, the network dropped). The connection is discarded and the pool opens a new one
   * on the next query; requests in flight fail with an error `isDatabaseUnavailableError` knows.
   * Default: one JSON line on stderr.
   */
  onConnectionError?: (error: Error, info: { applicationName: string }) => void;
}

export type Db = PrismaClient;

const defaultConnectionErrorReport: NonNullable<DbOptions['onConnectionError']> = (error, info) => {
  const code = (error as { code?: unknown }).code;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg: 'database connection lost', application: info.applicationName, error: error.message, code })}\n`);
};

/**
 * One Prisma client per process (or per test schema) over a pg pool of our own. Every pooled
 * connection carries an 'error' listener for its whole life: node-postgres emits 'error' on a
 * client whose backend goes away (57P01 on pg_terminate_backend or a fast shutdown, a reset
 * socket), and an emitter without a listener would throw it and end the process.
 */
export function createDb(options: DbOptions): Db {
  const schema = options.schema && options.schema !== 'public' ? options.schema : undefined;
  const applicationName = `${options.applicationName ?? 'dataengine'}${schema ? `/${schema}` : ''}`.slice(0, 63);
  const report = options.onConnectionError ?? defaultConnectionErrorReport;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 3_000,
    application_name: applicationName,
    // raw SQL (e.g. the task queue's SKIP LOCKED lease) resolves tables in the same schema
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  });
  pool.on('connect', (client) => {
    let reported = false;
    client.on('error', (error: Error) => {
      // a dying connection may emit twice (the server's FATAL message, then the closed socket)
      if (reported) return;
      reported = true;
      report(error, { applicationName });
    });
  });
  // idle clients' errors reach the pool too; the client listener above has already reported them
  pool.on('error', () => undefined);
  const adapter = new PrismaPg(pool, { ...(schema ? { schema } : {}), disposeExternalPool: true });
  return new PrismaClient({ adapter });
}
