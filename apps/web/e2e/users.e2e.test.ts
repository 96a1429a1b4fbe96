// The administrator's Users page in Chromium, on the demo stack: add an account (its password is
// shown once and signs in), change its role (the user's next page shows it), disable it (its open
// page is signed out, sign-in says why), enable it and set a new password that works. Others do not
// see the page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLogin, launchBrowser, logIn, openPage, screenshot } from './browser';

let browser: Browser;
let admin: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = (await openPage(browser)).page;
  await logIn(admin, 'admin');
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const email = `new-annotator-${Date.now()}@example.test`;
const row = () => admin.locator(`[data-testid="user-row"][data-email="${email}"]`);

async function signInAs(password: string): Promise<Page> {
  const { page } = await openPage(browser);
  await page.goto('/login');
  await fillLogin(page, email, password);
  return page;
}

describe('the Users page', () => {
  let password = '';
  let userPage: Page;

  it('is in an administrator\'s top bar and lists every account', async () => {
    await admin.getByTestId('nav-users').click();
    await admin.waitForURL('**/users');
    await admin.getByTestId('users-table').waitFor();
    expect(await admin.getByTestId('user-row').count()).toBeGreaterThanOrEqual(4); // the demo's four roles
    // the admin's own row: no Disable, role fixed
    const own = admin.locator('[data-testid="user-row"]').filter({ hasText: '(you)' });
    expect(await own.getByTestId('user-disable').count()).toBe(0);
    expect(await own.getByTestId('user-role-select').isDisabled()).toBe(true);
  });

  it('adds an account whose password is shown once and signs in', async () => {
    await admin.getByTestId('add-user-email').fill(email);
    await admin.getByTestId('add-user-name').fill('Nina New');
    await admin.getByTestId('add-user-role').selectOption('annotator');
    await admin.getByTestId('add-user-submit').click();
    password = (await admin.getByTestId('issued-password-value').textContent()) ?? '';
    expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
    await row().waitFor();
    expect(await row().getByTestId('user-state').textContent()).toBe('enabled');
    expect(await row().locator('td').nth(5).textContent()).toBe('never');
    await screenshot(admin, 'users');

    userPage = await signInAs(password);
    await userPage.waitForURL('**/projects');
    expect(await userPage.getByTestId('user-role').textContent()).toBe('annotator');
    expect(await userPage.getByTestId('nav-users').count()).toBe(0);
    await userPage.goto('/users');
    await userPage.getByTestId('forbidden').filter({ hasText: 'managing users needs the admin role; you are an annotator' }).waitFor();
  });

  it('changes the role; the user\'s next page shows it', async () => {
    await admin.getByTestId('issued-password-dismiss').click();
    await row().getByTestId('user-role-select').selectOption('manager');
    await admin.getByTestId('users-status').filter({ hasText: `${email}) is now manager` }).waitFor();
    await userPage.goto('/projects');
    await userPage.getByTestId('user-role').filter({ hasText: 'manager' }).waitFor();
  });

  it('disables the account after a confirmation: the open page is signed out and sign-in says why', async () => {
    await row().getByTestId('user-disable').click();
    await row().getByTestId('user-disable-confirm').click();
    await admin.getByTestId('users-status').filter({ hasText: `${email} is disabled; 1 open session ended.` }).waitFor();
    await row().getByTestId('user-state').filter({ hasText: 'disabled' }).waitFor(); // the list refetches after the notice

    await userPage.reload();
    await userPage.waitForURL('**/login**');
    await fillLogin(userPage, email, password);
    await userPage.getByTestId('login-error').filter({ hasText: 'this account is disabled; ask an administrator to enable it' }).waitFor();
    await userPage.context().close();
  });

  it('enables it and sets a new password: the old one stops working, the new one signs in', async () => {
    await row().getByTestId('user-enable').click();
    await admin.getByTestId('users-status').filter({ hasText: `${email} may sign in again.` }).waitFor();
    await row().getByTestId('user-reset-password').click();
    const fresh = (await admin.getByTestId('issued-password-value').textContent()) ?? '';
    expect(fresh).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(fresh).not.toBe(password);

    const old = await signInAs(password);
    await old.getByTestId('login-error').waitFor();
    await old.context().close();
    const next = await signInAs(fresh);
    await next.waitForURL('**/projects');
    await next.context().close();
  });
});
