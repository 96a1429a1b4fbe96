// The indexes the dashboard's scans rely on at scale (bench/dashboard-scale.bench.ts, docs/scale.md).
// The schema drift check compares index columns only, so the predicates are checked here.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, TEST_DATABASE_URL, testSchemaName } from '@dataengine/testing';
import { migrate, MIGRATIONS_DIR } from '@dataengine/db';

const schema = testSchemaName('dashidx');

beforeAll(async () => {
  await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
});
afterAll(async () => {
  await dropSchema(TEST_DATABASE_URL, schema);
});

describe('dashboard indexes', () => {
  it('counts live masks per image from a partial index on (project_id, image_id, provenance)', async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'masks' AND indexname = 'masks_project_id_image_id_provenance_idx'",
        [schema],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.indexdef).toMatch(/\(project_id, image_id, provenance\) WHERE \(deleted_at IS NULL\)$/);
    } finally {
      await client.end();
    }
  });
});
