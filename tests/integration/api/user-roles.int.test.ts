// The administrator's Users page over the real API: every account with its state and last
// activity, and role changes — applied from the user's next request, never one's own, and never
// leaving the installation without an enabled administrator (not by two admins demoting each
// other at the same moment, not by the CLI demoting or disabling the last one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type AccountDto, type UserDto } from '@dataengine/contracts';
import { setUserDisabled, setUserRole, SYSTEM_ACTOR, type Actor } from '@dataengine/engine';
import { createTestEnv, loginCookie, makeUser, startTestApi, trpcMutation, trpcQuery, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let admin: MadeUser;
let adminCookie: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  admin = await makeUser(env.deps.db, { role: 'admin' });
  adminCookie = await loginCookie(api.url, admin.email, admin.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const actorOf = (u: MadeUser, role: Actor['role']): Actor => ({ id: u.id, email: u.email, name: u.name, role });
const setRole = (cookie: string, email: string, role: UserDto['role']) => trpcMutation<UserDto>(api.url, 'users.setRole', { email, role }, cookie);

describe('users.accounts', () => {
  it('lists every account, disabled ones too, with when it was created and last active', async () => {
    const idle = await makeUser(env.deps.db, { role: 'annotator' });
    const gone = await makeUser(env.deps.db, { role: 'annotator' });
    await env.deps.db.user.update({ where: { id: gone.id }, data: { disabledAt: new Date() } });
    const res = await trpcQuery<AccountDto[]>(api.url, 'users.accounts', undefined, adminCookie);
    expect(res.status).toBe(200);
    const byEmail = new Map(res.data!.map((a) => [a.email, a]));
    expect(byEmail.get(gone.email)?.disabled).toBe(true);
    expect(byEmail.get(idle.email)).toMatchObject({ disabled: false, lastActiveAt: null, role: 'annotator' });
    expect(Date.parse(byEmail.get(admin.email)!.lastActiveAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(byEmail.get(idle.email)!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is for administrators only', async () => {
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const cookie = await loginCookie(api.url, manager.email, manager.password);
    expect((await trpcQuery(api.url, 'users.accounts', undefined, cookie)).status).toBe(403);
    expect((await setRole(cookie, manager.email, 'admin')).status).toBe(403);
  });
});

describe('users.setRole', () => {
  it('applies from the user\'s next request, without signing them out', async () => {
    const user = await makeUser(env.deps.db, { role: 'annotator' });
    const cookie = await loginCookie(api.url, user.email, user.password);
    expect((await trpcQuery(api.url, 'ops.queues', undefined, cookie)).status).toBe(403);
    const res = await setRole(adminCookie, user.email, 'ops');
    expect(res.status).toBe(200);
    expect(res.data?.role).toBe('ops');
    const me = await trpcQuery<UserDto>(api.url, 'auth.me', undefined, cookie);
    expect(me.status).toBe(200);
    expect(me.data?.role).toBe('ops');
    expect((await trpcQuery(api.url, 'ops.queues', undefined, cookie)).status).toBe(200);
  });

  it('refuses one\'s own role and an unknown e-mail, saying why', async () => {
    const own = await setRole(adminCookie, admin.email, 'manager');
    expect(own.status).toBe(400);
    expect(own.error?.message).toBe('you cannot change your own role; ask another administrator');
    const unknown = await setRole(adminCookie, 'nobody@example.test', 'manager');
    expect(unknown.status).toBe(404);
  });

  it('keeps the last enabled administrator one, even when two admins demote each other at the same moment', async () => {
    // only `admin` and `other` are enabled admins of this installation
    const other = await makeUser(env.deps.db, { role: 'admin' });
    await env.deps.db.user.updateMany({ where: { role: 'admin', id: { notIn: [admin.id, other.id] } }, data: { role: 'manager' } });
    // both passed the role check already (as two requests in flight would have): the database decides
    const results = await Promise.allSettled([
      setUserRole(env.deps, actorOf(admin, 'admin'), { email: other.email, role: 'manager' }),
      setUserRole(env.deps, actorOf(other, 'admin'), { email: admin.email, role: 'manager' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect((refused.reason as AppError).code).toBe('CONFLICT');
    expect((refused.reason as AppError).message).toMatch(/is the only enabled administrator; make someone else an administrator first$/);
    const left = await env.deps.db.user.findMany({ where: { role: 'admin', disabledAt: null } });
    expect(left).toHaveLength(1);
    // the CLI acts as the system: it cannot demote the last one either
    await expect(setUserRole(env.deps, SYSTEM_ACTOR, { email: left[0]!.email, role: 'annotator' })).rejects.toThrow(/only enabled administrator/);
    await expect(setUserDisabled(env.deps, SYSTEM_ACTOR, { email: left[0]!.email, disabled: true })).rejects.toThrow(/only enabled administrator/);
    expect(await env.deps.db.user.count({ where: { role: 'admin', disabledAt: null } })).toBe(1);
    await env.deps.db.user.update({ where: { id: admin.id }, data: { role: 'admin' } });
  });

});
