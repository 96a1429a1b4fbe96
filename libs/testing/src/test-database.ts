import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The database every integration test uses; each test file migrates its own schema inside it. */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/dataengine_test';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Creates the test database when missing. */
export { ensureDatabase } from '@dataengine/db';

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A test schema's name carries its creation time, so clean-up never touches a running suite's. */
export function testSchemaName(label = ''): string {
  return `t_${label ? `${label}_` : ''}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

const STALE_AFTER_MS = 3 * 3600 * 1000;

/** Drops schemas left behind by interrupted test runs (older than 3 hours: never a running suite's). */
export async function dropStaleTestSchemas(url: string, now = Date.now()): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'");
    const stale = rows.filter((row) => {
      const created = /_([0-9a-z]{8,9})_[0-9a-f]{8}$/.exec(row.nspname);
      return !created || now - parseInt(created[1]!, 36) > STALE_AFTER_MS;
    });
    for (const row of stale) await client.query(`DROP SCHEMA IF EXISTS "${row.nspname}" CASCADE`);
    return stale.length;
  } finally {
    await client.end();
  }
}
