// One active checkpoint per scope (the global one, or one per project): the database refuses a
// second, concurrent promotions end with exactly one, the active checkpoint is found by its scope,
// roll back stays in its scope, and the migration repairs an installation that had two.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointDto } from '@dataengine/contracts';
import { loadMigrations, migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { getActiveCheckpoint, promoteCheckpoint, registerCheckpoint, rollbackCheckpoint, SYSTEM_ACTOR, type CheckpointRow } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import {
  createTestEnv,
  dropSchema,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  TEST_DATABASE_URL,
  testSchemaName,
  trpcMutation,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let tmp: string;
let bundles = 0;
let ops: MadeUser;
let project: { id: string; name: string };
let global0: CheckpointRow;

async function candidate(name: string, projectId: string | null): Promise<CheckpointRow> {
  const dir = await writeContractBundle(path.join(tmp, `bundle-${bundles++}`));
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name, n: bundles })); // its own bundle
  return registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name, projectId });
}
const activeIn = async (projectId: string | null) =>
  (await env.deps.db.checkpoint.findMany({ where: { status: 'active', projectId }, select: { id: true, name: true } })).map((c) => c.name);

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'checkpoint-scope-'));
  ops = await makeUser(env.deps.db, { role: 'ops' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  project = await makeProject(env.deps.db, { createdBy: manager, name: 'Scoped' });
  global0 = await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: (await candidate('global r0', null)).id });
});
afterAll(async () => {
  await api?.close();
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('the database', () => {
  it('refuses a second active checkpoint in a scope, whatever writes it', async () => {
    const own = await promoteCheckpoint(env.deps, SYSTEM_ACTOR, { checkpointId: (await candidate('own r1', project.id)).id });
    const other = await candidate('own r2', project.id);
    const globalOther = await candidate('global r1', null);
    for (const id of [other.id, globalOther.id]) {
      await expect(env.deps.db.checkpoint.update({ where: { id }, data: { status: 'active' } })).rejects.toMatchObject({ code: 'P2002' });
    }
    expect(await activeIn(project.id)).toEqual(['own r1']);
    expect(await activeIn(null)).toEqual(['global r0']);
    // a project's and the global active checkpoint live side by side
    expect((await getActiveCheckpoint(env.deps, project.id))?.id).toBe(own.id);
    expect((await getActiveCheckpoint(env.deps, null))?.id).toBe(global0.id);
  });
});

describe('promotion', () => {
  it('concurrent promotions of one scope, over HTTP by two ops, end with exactly one active and an audit trail that adds up', async () => {
    const second = await makeUser(env.deps.db, { role: 'ops' });
    const cookies = [await loginCookie(api.url, ops.email, ops.password), await loginCookie(api.url, second.email, second.password)];
    const racers = await Promise.all(['race a', 'race b', 'race c', 'race d'].map((name) => candidate(name, project.id)));
    const answers = await Promise.all(racers.map((c, i) => trpcMutation<CheckpointDto>(api.url, 'checkpoints.promote', { checkpointId: c.id, reason: 'race', overrideGate: true }, cookies[i % 2])));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const active = await env.deps.db.checkpoint.findMany({ where: { status: 'active', projectId: project.id } });
    expect(active).toHaveLength(1);
    expect(racers.map((r) => r.id)).toContain(active[0]!.id);
    // every racer was activated once; all but the last one were retired by the next
    const events = await env.deps.db.checkpointEvent.findMany({ where: { checkpointId: { in: racers.map((r) => r.id) }, action: { not: 'register' } }, orderBy: { id: 'asc' } });
    expect(events.filter((e) => e.toStatus === 'active')).toHaveLength(4);
    expect(events.filter((e) => e.toStatus === 'retired')).toHaveLength(3);
    expect(await activeIn(null)).toEqual(['global r0']);
  });
});

describe('roll back', () => {
  it("returns a project to its previous checkpoint — not the global one — even when names repeat", async () => {
    const first = await promoteCheckpoint(env.deps, ops, { checkpointId: (await candidate('round', project.id)).id });
    const second = await promoteCheckpoint(env.deps, ops, { checkpointId: (await candidate('round', project.id)).id });
    const third = await promoteCheckpoint(env.deps, ops, { checkpointId: (await candidate('round', project.id)).id });
    expect((await rollbackCheckpoint(env.deps, ops, { projectId: project.id, reason: 'worse masks' })).id).toBe(second.id);
    expect(await activeIn(null)).toEqual(['global r0']);
    // a second roll back undoes the first
    expect((await rollbackCheckpoint(env.deps, ops, { projectId: project.id, reason: 'it was fine after all' })).id).toBe(third.id);
    expect((await getActiveCheckpoint(env.deps, project.id))?.id).toBe(third.id);
    expect(first.id).not.toBe(third.id);
  });

  it("over HTTP, the console's scope decides which checkpoint comes back", async () => {
    const cookie = await loginCookie(api.url, ops.email, ops.password);
    const global1 = await promoteCheckpoint(env.deps, ops, { checkpointId: (await candidate('global r1b', null)).id });
    const projectBefore = (await getActiveCheckpoint(env.deps, project.id))!;
    const back = await trpcMutation<CheckpointDto>(api.url, 'checkpoints.rollback', { projectId: null, reason: 'global r1b is worse' }, cookie);
    expect(back.status).toBe(200);
    expect(back.data!.id).toBe(global0.id);
    expect((await getActiveCheckpoint(env.deps, project.id))?.id).toBe(projectBefore.id);
    expect(global1.id).not.toBe(global0.id);
  });
});

describe('the migration', () => {
  it('repairs an installation where a scope had two active checkpoints: the most recently promoted stays', async () => {
    const schema = testSchemaName('ckscope');
    const dir = path.join(tmp, 'migrations');
    const all = await loadMigrations(MIGRATIONS_DIR);
    const mine = all.findIndex((m) => m.name.endsWith('_one_active_checkpoint_per_scope'));
    expect(mine).toBeGreaterThan(0);
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    for (const later of all.slice(mine)) await rm(path.join(dir, later.name), { recursive: true });
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: dir });
      await client.query(`SET search_path TO "${schema}"`);
      const insert = (id: string, promotedAt: string) =>
        client.query(`INSERT INTO checkpoints (id, name, bundle_key, bundle_hash, manifest, status, promoted_at) VALUES ($1::uuid, $2, 'k', $2, '{}', 'active', $3)`, [id, `bundle ${id}`, promotedAt]);
      await insert('00000000-0000-4000-8000-00000000000a', '2026-01-01T00:00:00Z');
      await insert('00000000-0000-4000-8000-00000000000b', '2026-02-01T00:00:00Z');
      await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
      const rows = (await client.query<{ id: string; status: string; active_scope: string | null }>('SELECT id, status, active_scope FROM checkpoints ORDER BY id')).rows;
      expect(rows).toEqual([
        { id: '00000000-0000-4000-8000-00000000000a', status: 'retired', active_scope: null },
        { id: '00000000-0000-4000-8000-00000000000b', status: 'active', active_scope: 'global' },
      ]);
      const audit = (await client.query<{ checkpoint_id: string; action: string }>('SELECT checkpoint_id, action FROM checkpoint_events')).rows;
      expect(audit).toEqual([{ checkpoint_id: '00000000-0000-4000-8000-00000000000a', action: 'repair' }]);
    } finally {
      await client.end();
      await dropSchema(TEST_DATABASE_URL, schema);
    }
  });
});
