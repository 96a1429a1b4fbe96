// Account administration over the real API: a user changes their own password (other sessions end),
// an admin disables an account (its sessions end at once, sign-in says so) and sets a new password.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const sessionsOf = (userId: string) => env.deps.db.session.count({ where: { userId } });
const sessionId = (cookie: string) => createHash('sha256').update(decodeURIComponent(cookie.split('=')[1]!)).digest('hex');
const me = (cookie: string) => trpcQuery(api.url, 'auth.me', undefined, cookie);

describe('changing one\'s own password', () => {
  let user: MadeUser;
  let here: string;
  let elsewhere: string;
  beforeAll(async () => {
    user = await makeUser(env.deps.db, { role: 'annotator' });
    here = await loginCookie(api.url, user.email, user.password);
    elsewhere = await loginCookie(api.url, user.email, user.password);
  });

  it('needs the current password, and says so when it is wrong', async () => {
    const res = await trpcMutation(api.url, 'auth.changePassword', { currentPassword: 'not-it', newPassword: 'a-new-secret-1' }, here);
    expect(res.status).toBe(400);
    expect(res.error?.message).toBe('the current password is wrong; nothing was changed');
    expect((await trpcMutation(api.url, 'auth.changePassword', { currentPassword: user.password, newPassword: 'short' }, here)).status).toBe(400);
    expect((await trpcMutation(api.url, 'auth.changePassword', { currentPassword: user.password, newPassword: 'x' }, undefined)).status).toBe(401);
  });

  it('sets the new one, ends the other sessions and keeps this one', async () => {
    const res = await trpcMutation<{ otherSessionsEnded: number }>(api.url, 'auth.changePassword', { currentPassword: user.password, newPassword: 'a-new-secret-1' }, here);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ otherSessionsEnded: 1 });
    expect((await me(here)).status).toBe(200);
    expect((await me(elsewhere)).status).toBe(401);
    expect((await trpcMutation(api.url, 'auth.login', { email: user.email, password: user.password })).status).toBe(401);
    expect((await trpcMutation(api.url, 'auth.login', { email: user.email, password: 'a-new-secret-1' })).status).toBe(200);
  });
});

describe('an administrator', () => {
  it('disables an account: every session ends at once, and sign-in says the account is disabled', async () => {
    const user = await makeUser(env.deps.db, { role: 'manager' });
    const cookie = await loginCookie(api.url, user.email, user.password);
    await loginCookie(api.url, user.email, user.password);
    const res = await trpcMutation<{ disabled: boolean; sessionsEnded: number }>(api.url, 'users.setDisabled', { email: user.email, disabled: true }, adminCookie);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ email: user.email, disabled: true, sessionsEnded: 2 });
    expect(await sessionsOf(user.id)).toBe(0);
    const after = await me(cookie);
    expect(after.status).toBe(401);
    const login = await trpcMutation(api.url, 'auth.login', { email: user.email, password: user.password });
    expect(login.status).toBe(401);
    expect(login.error?.message).toBe('this account is disabled; ask an administrator to enable it');
    // a guesser does not learn that the account exists and is disabled
    expect((await trpcMutation(api.url, 'auth.login', { email: user.email, password: 'wrong-one' })).error?.message).toBe('wrong e-mail or password');

    expect((await trpcMutation(api.url, 'users.setDisabled', { email: user.email, disabled: false }, adminCookie)).status).toBe(200);
    expect((await trpcMutation(api.url, 'auth.login', { email: user.email, password: user.password })).status).toBe(200);
  });

  it('cannot disable their own account; nobody else may disable anyone', async () => {
    const self = await trpcMutation(api.url, 'users.setDisabled', { email: admin.email, disabled: true }, adminCookie);
    expect(self.status).toBe(400);
    expect(self.error?.message).toBe('you cannot disable your own account; ask another administrator');
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const managerCookie = await loginCookie(api.url, manager.email, manager.password);
    const refused = await trpcMutation(api.url, 'users.setDisabled', { email: admin.email, disabled: true }, managerCookie);
    expect(refused.status).toBe(403);
    expect((await trpcMutation(api.url, 'users.setDisabled', { email: 'nobody@example.test', disabled: true }, adminCookie)).error?.message).toBe('no user has the e-mail nobody@example.test');
  });

  it('sets a new password for a user who forgot theirs: their sessions end', async () => {
    const user = await makeUser(env.deps.db, { role: 'annotator' });
    const cookie = await loginCookie(api.url, user.email, user.password);
    const res = await trpcMutation(api.url, 'users.resetPassword', { email: user.email, password: 'handed-over-9' }, adminCookie);
    expect(res.status).toBe(200);
    expect(await env.deps.db.session.findUnique({ where: { id: sessionId(cookie) } })).toBeNull();
    expect((await trpcMutation(api.url, 'auth.login', { email: user.email, password: 'handed-over-9' })).status).toBe(200);
  });
});
