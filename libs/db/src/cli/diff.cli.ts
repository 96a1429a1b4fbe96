// npm run db:diff [-- --empty] — prints the SQL that brings the database (or an empty one) to
// prisma/schema.prisma. Paste it into a new prisma/migrations/<timestamp>_<name>/migration.sql.
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { loadConfig } from '@dataengine/config';
import { draftMigrationSql, readPgSchema, readPrismaSchema, SCHEMA_PATH } from '../index';

const target = readPrismaSchema(await readFile(SCHEMA_PATH, 'utf8'));
let current = { enums: {}, tables: {} };
if (!process.argv.includes('--empty')) {
  const config = loadConfig();
  const client = new pg.Client({ connectionString: config.DATABASE_URL });
  await client.connect();
  current = await readPgSchema(client, config.DATABASE_SCHEMA);
  await client.end();
}
process.stdout.write(draftMigrationSql(current, target) || '-- the database already matches the schema\n');
