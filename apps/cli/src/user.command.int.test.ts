// `dataengine user …` as an operator runs it (a child process through bin/dataengine.mjs) against an
// isolated installation: the first admin, a reset password (which also lifts a sign-in lock), a
// disabled account; and a production set-up that seeds no demo users but says how to make an admin.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '@dataengine/engine';
import { createTestEnv, loginCookie, makeUser, startTestApi, type TestEnv } from '@dataengine/testing';
import { REPO_ROOT } from './repo-paths';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

function installationEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: env.config.DATABASE_URL,
    DATABASE_SCHEMA: env.schema,
    REDIS_URL: env.config.REDIS_URL,
    QUEUE_PREFIX: env.config.QUEUE_PREFIX,
    BLOB_DIR: env.config.blobDir,
    LOG_LEVEL: 'error',
    ...extra,
  };
}

function dataengine(args: string[], input?: string) {
  return spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dataengine.mjs'), 'user', ...args], { env: installationEnv(), input, encoding: 'utf8', timeout: 60_000 });
}

function script(file: string, extra: Record<string, string>) {
  return spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsx'), [file], { cwd: REPO_ROOT, env: installationEnv(extra), encoding: 'utf8', timeout: 90_000 });
}

const userRow = (email: string) => env.deps.db.user.findUnique({ where: { email } });

describe('a production installation', () => {
  it('docker compose set-up runs the set-up script, which creates no users and says how to create the first admin', () => {
    const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    const setup = /\n {2}setup:\n(?: {4}.*\n)+/.exec(compose)?.[0] ?? '';
    expect(setup).toContain('scripts/setup.ts');
    expect(setup).not.toContain('seed');
    const run = script('scripts/setup.ts', { NODE_ENV: 'production', DEFAULT_MODEL_DIR: '/nonexistent' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('no administrator yet');
    expect(run.stdout).toContain('npx dataengine user create --role admin --email');
  });

  it('db:seed refuses to create the demo users (known password) under NODE_ENV=production', async () => {
    const run = script('scripts/seed.ts', { NODE_ENV: 'production', DEMO_IMAGES: '1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('does not run with NODE_ENV=production');
    expect(await env.deps.db.user.count()).toBe(0);
  });
});

describe('dataengine user', () => {
  it('create --role admin with a generated password: printed once, and it signs in', async () => {
    const run = dataengine(['create', '--role', 'admin', '--email', 'First.Admin@Example.com', '--name', 'First Admin']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^created admin first\.admin@example\.com \(First Admin\)\npassword: \S{20}   \(shown once/);
    const password = /password: (\S+)/.exec(run.stdout)![1]!;
    const row = await userRow('first.admin@example.com');
    expect(row?.role).toBe('admin');
    expect(await verifyPassword(password, row!.passwordHash)).toBe(true);
    await loginCookie(api.url, 'first.admin@example.com', password);

    const setup = script('scripts/setup.ts', { NODE_ENV: 'production', DEFAULT_MODEL_DIR: '/nonexistent' });
    expect(setup.stdout).toContain('1 administrator account(s) present');
  });

  it('create --password-stdin takes the first line of standard input; mistakes are one line and exit non-zero', async () => {
    const run = dataengine(['create', '--role', 'ops', '--email', 'ops@example.com', '--name', 'Ops', '--password-stdin'], 'correct horse battery\n');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('created ops ops@example.com (Ops)\n');
    expect(await verifyPassword('correct horse battery', (await userRow('ops@example.com'))!.passwordHash)).toBe(true);

    const again = dataengine(['create', '--role', 'ops', '--email', 'ops@example.com', '--name', 'Ops', '--password-stdin'], 'another password\n');
    expect(again.status).toBe(1);
    expect(again.stderr).toBe('dataengine: a user with e-mail ops@example.com already exists\n');
    const short = dataengine(['create', '--role', 'ops', '--email', 'x@example.com', '--name', 'X', '--password-stdin'], 'short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('needs at least 8');
    const badRole = dataengine(['create', '--role', 'root', '--email', 'x@example.com', '--name', 'X']);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toContain('--role must be admin, ops, manager or annotator');
  });

  it('reset-password sets a new password, ends the sessions and lifts a sign-in lock', async () => {
    const user = await makeUser(env.deps.db, { role: 'annotator' });
    await loginCookie(api.url, user.email, user.password);
    for (let i = 0; i < 6; i++) {
      await fetch(`${api.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${i + 1}` }, body: JSON.stringify({ email: user.email, password: 'wrong' }) });
    }
    const run = dataengine(['reset-password', '--email', user.email, '--password-stdin'], 'brand-new-password\n');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`new password set for ${user.email}; 1 session(s) ended\n`);
    expect(await env.deps.db.session.count({ where: { userId: user.id } })).toBe(0);
    await loginCookie(api.url, user.email, 'brand-new-password'); // not 429: the lock went with the reset
  });

  it('disable ends the sessions and refuses sign-in; enable lets the user back; list shows the state', async () => {
    const user = await makeUser(env.deps.db, { role: 'manager' });
    const cookie = await loginCookie(api.url, user.email, user.password);
    const off = dataengine(['disable', '--email', user.email]);
    expect(off.stdout, off.stderr).toBe(`disabled ${user.email}; 1 session(s) ended\n`);
    expect((await fetch(`${api.url}/trpc/auth.me`, { headers: { cookie } })).status).toBe(401);
    const list = dataengine(['list']);
    expect(list.stdout, list.stderr).toMatch(new RegExp(`manager +${user.email.replace(/[.]/g, '\\.')} +disabled`));
    const on = dataengine(['enable', '--email', user.email]);
    expect(on.stdout, on.stderr).toBe(`enabled ${user.email}\n`);
    await loginCookie(api.url, user.email, user.password);
    const missing = dataengine(['disable', '--email', 'nobody@example.com']);
    expect(missing.stderr).toBe('dataengine: no user has the e-mail nobody@example.com\n');
    expect(missing.status).toBe(1);
  });

  it('set-role changes a role and refuses to leave no enabled administrator', async () => {
    const user = await makeUser(env.deps.db, { role: 'annotator' });
    const run = dataengine(['set-role', '--email', user.email, '--role', 'ops']);
    expect(run.stdout, run.stderr).toBe(`${user.email} is now ops\n`);
    expect((await env.deps.db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe('ops');
    const bad = dataengine(['set-role', '--email', user.email, '--role', 'boss']);
    expect(bad.stderr).toContain('--role must be admin, ops, manager or annotator, not "boss"');
    // the last test of the file: one enabled administrator left
    const only = await makeUser(env.deps.db, { role: 'admin' });
    await env.deps.db.user.updateMany({ where: { role: 'admin', id: { not: only.id } }, data: { role: 'manager' } });
    const last = dataengine(['set-role', '--email', only.email, '--role', 'manager']);
    expect(last.stderr).toBe(`dataengine: ${only.email} is the only enabled administrator; make someone else an administrator first\n`);
    expect(last.status).toBe(1);
  });
});
