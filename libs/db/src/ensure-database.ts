// Creates the configured database when the server has none of that name (a fresh installation or a
// fresh test server), connecting through the server's "postgres" maintenance database.
import pg from 'pg';

export interface EnsureDatabaseOptions {
  /** Give up connecting after this long (the pg default waits for the OS). */
  connectTimeoutMs?: number;
}

export async function ensureDatabase(url: string, options: EnsureDatabaseOptions = {}): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}) });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
