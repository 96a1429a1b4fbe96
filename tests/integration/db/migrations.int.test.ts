import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, TEST_DATABASE_URL, testSchemaName } from '@dataengine/testing';
import { checkSchemaDrift, loadMigrations, migrate, MIGRATIONS_DIR, SCHEMA_PATH } from '@dataengine/db';

const schema = testSchemaName('mig');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'schema-drift-'));
});
afterAll(async () => {
  await dropSchema(TEST_DATABASE_URL, schema);
  await rm(tmp, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function driftedSchema(edit: (source: string) => string): Promise<string> {
  const file = path.join(tmp, `schema-${randomBytes(3).toString('hex')}.prisma`);
  const source = await readFile(SCHEMA_PATH, 'utf8');
  const edited = edit(source);
  expect(edited).not.toBe(source); // the edit must actually change something
  await writeFile(file, edited);
  return file;
}

describe('SQL migrations', () => {
  it('apply to an empty schema and record themselves the way Prisma Migrate does', async () => {
    const result = await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
    expect(result.applied.length).toBeGreaterThan(0);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(result.applied);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('are idempotent: a second run applies nothing', async () => {
    const again = await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('leave the database exactly as schema.prisma describes it (no drift)', async () => {
    expect(await checkSchemaDrift({ connectionString: TEST_DATABASE_URL, schema })).toEqual([]);
  });

  it('refuse a migration that was edited after it was applied', async () => {
    const dir = path.join(tmp, 'migrations');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = await loadMigrations(dir);
    await writeFile(path.join(dir, first!.name, 'migration.sql'), first!.sql + '\n-- edited\n');
    await expect(migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: dir })).rejects.toThrow(/edited after it was applied/);
  });
});

describe('drift check', () => {
  it('fails when the schema gains a column the migrations lack', async () => {
    const file = await driftedSchema((s) => s.replace('  clicks         Int        @default(0)\n', '  clicks         Int        @default(0)\n  reviewNote     String?    @map("review_note")\n'));
    const problems = await checkSchemaDrift({ connectionString: TEST_DATABASE_URL, schema, schemaPath: file });
    expect(problems).toContain('column "masks"."review_note" is in the schema but not in the database');
  });

  it('fails when an index is dropped from the schema', async () => {
    const file = await driftedSchema((s) => s.replace('  @@index([authorId, createdAt])\n', ''));
    const problems = await checkSchemaDrift({ connectionString: TEST_DATABASE_URL, schema, schemaPath: file });
    expect(problems.some((p) => p.includes('masks_author_id_created_at_idx') && p.includes('in the database but not in the schema'))).toBe(true);
  });

  it('fails on a changed type, nullability, enum value and referential action', async () => {
    const file = await driftedSchema((s) =>
      s
        .replace('  area           Int\n', '  area           BigInt\n')
        .replace('  description String    @default("")', '  description String?')
        .replace('  rejected\n', '  rejected\n  archived\n')
        .replace('  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n\n  @@index([userId])\n  @@index([expiresAt])', '  user User @relation(fields: [userId], references: [id], onDelete: Restrict)\n\n  @@index([userId])\n  @@index([expiresAt])'),
    );
    const problems = await checkSchemaDrift({ connectionString: TEST_DATABASE_URL, schema, schemaPath: file });
    expect(problems).toEqual(
      expect.arrayContaining([
        'column "masks"."area" type: schema says "bigint", database has "integer"',
        'column "projects"."description" nullable: schema says true, database has false',
        expect.stringContaining('enum "checkpoint_status" has values'),
        expect.stringContaining('foreign key "sessions_user_id_fkey" on "sessions": schema says (user_id) → users(id) on delete RESTRICT'),
      ]),
    );
  });

  it('fails when a whole model is missing from the database', async () => {
    const file = await driftedSchema((s) => s + '\nmodel Comment {\n  id   Int    @id @default(autoincrement())\n  body String\n\n  @@map("comments")\n}\n');
    expect(await checkSchemaDrift({ connectionString: TEST_DATABASE_URL, schema, schemaPath: file })).toEqual([
      'table "comments" is in the schema but not in the database',
    ]);
  });
});
