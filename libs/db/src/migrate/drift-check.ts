import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readPgSchema } from '../schema/pg-catalog-reader';
import { readPrismaSchema } from '../schema/prisma-schema-reader';
import { diffRelationalModels } from '../schema/relational-model';

export const SCHEMA_PATH = fileURLToPath(new URL('../../../../prisma/schema.prisma', import.meta.url));
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));

/** Compares schema.prisma with a migrated database schema; returns one line per difference (empty = in sync). */
export async function checkSchemaDrift(options: { connectionString: string; schema: string; schemaPath?: string }): Promise<string[]> {
  const expected = readPrismaSchema(await readFile(options.schemaPath ?? SCHEMA_PATH, 'utf8'));
  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    return diffRelationalModels(expected, await readPgSchema(client, options.schema));
  } finally {
    await client.end();
  }
}
