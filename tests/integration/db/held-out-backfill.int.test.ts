// The held-out set migration on a database that predates it: images uploaded as val stay val, the
// others are assigned by the rule uploads follow now (hashPosition < the project's share, 0.1).
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { hashPosition } from '@dataengine/engine';
import { dropSchema, TEST_DATABASE_URL, testSchemaName } from '@dataengine/testing';

const MIGRATION = '20261128090000_held_out_set';
const schema = testSchemaName('heldout');
let tmp: string;
let client: pg.Client;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'held-out-backfill-'));
  client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await dropSchema(TEST_DATABASE_URL, schema);
  await rm(tmp, { recursive: true, force: true });
});

describe(`migration ${MIGRATION}`, () => {
  it('keeps explicit val images and applies the default share to the rest by content hash', async () => {
    // the database as it was before: every migration older than this one
    const before = path.join(tmp, 'before');
    for (const name of (await readdir(MIGRATIONS_DIR)).filter((n) => n < MIGRATION)) await cp(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
    await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: before });
    await client.query(`SET search_path TO "${schema}"`);
    const user = await client.query<{ id: string }>(`INSERT INTO users (id, email, name, password_hash, role) VALUES (gen_random_uuid(), 'm@x', 'M', 'x', 'manager') RETURNING id`);
    const project = await client.query<{ id: string }>(`INSERT INTO projects (id, name, slug, created_by_id) VALUES (gen_random_uuid(), 'Old', 'old', $1) RETURNING id`, [user.rows[0]!.id]);
    const hashes = Array.from({ length: 200 }, (_, i) => createHash('sha256').update(`image ${i}`).digest('hex'));
    for (const [i, hash] of hashes.entries()) {
      await client.query(`INSERT INTO images (project_id, content_hash, blob_key, file_name, mime, byte_size, width, height, split) VALUES ($1, $2, $3, $4, 'image/png', 1, 1, 1, $5)`, [
        project.rows[0]!.id,
        hash,
        `images/${hash}`,
        `${i}.png`,
        i < 5 ? 'val' : 'train', // five uploaded as val
      ]);
    }

    await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
    const rows = await client.query<{ content_hash: string; split: string; file_name: string }>('SELECT content_hash, split, file_name FROM images ORDER BY id');
    const expected = rows.rows.map((r, i) => (i < 5 || hashPosition(r.content_hash) < 0.1 ? 'val' : 'train'));
    expect(rows.rows.map((r) => r.split)).toEqual(expected);
    const val = expected.filter((s) => s === 'val').length;
    expect(val).toBeGreaterThan(5 + 5); // about a tenth of the other 195
    expect(val).toBeLessThan(5 + 40);
    expect((await client.query<{ val_share: number }>('SELECT val_share FROM projects')).rows[0]!.val_share).toBe(0.1);
  });
});
