// The web app against a hostile page, in Chromium, on a stack of this file's own: a signed-in
// manager visits a page on another port of the same host (same site) and one on another site;
// their forms and no-cors fetches at the upload, import and logout routes — through the web app's
// proxy — are refused and change nothing. The app cannot be framed and sends its page policy; the
// Account page changes the password (other sessions end); the login form shows the throttle.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeUser, syntheticImageBytes, type MadeUser, type TestEnv } from '@dataengine/testing';
import { fillLogin, launchBrowser } from './browser';
import { cocoAsTextPlainForm, formPost, noCorsPost, plantedCoco, startAttackerSite, type AttackerSite } from './cross-site-requests';
import { createOwnEnv, logInOn, startOwnStack, type OwnStack } from './own-stack';

let env: TestEnv;
let own: OwnStack;
let browser: Browser;
let attacker: AttackerSite;
let manager: MadeUser;
let projectId: string;

beforeAll(async () => {
  env = await createOwnEnv();
  manager = await makeUser(env.deps.db, { role: 'manager', name: 'Mona Manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, name: 'Guarded project' })).id;
  own = await startOwnStack(env);
  attacker = await startAttackerSite();
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await attacker?.close();
  await own?.close();
  await env?.close();
});

const counts = async () => ({
  images: await env.deps.db.image.count({ where: { projectId } }),
  importRuns: await env.deps.db.run.count({ where: { projectId, kind: 'import' } }),
  masks: await env.deps.db.mask.count({ where: { projectId } }),
});

describe('a page on another port of the same host, while a manager is signed in', () => {
  let page: Page;
  let png: number[];
  beforeAll(async () => {
    page = await logInOn(browser, own.stack, manager);
    png = Array.from(await syntheticImageBytes({ seed: 11, width: 64, height: 48, format: 'png' }));
  });
  afterAll(() => page?.context().close());

  it('cannot start an import: a no-cors text/plain fetch and a text/plain form are refused (403), no run, no mask', async () => {
    const before = await counts();
    const importUrl = `${own.stack.webUrl}/api/projects/${projectId}/import?format=coco`;
    const coco = plantedCoco('planted.png', 64, 48);
    await page.goto(attacker.pageUrl('127.0.0.1'));
    expect(await noCorsPost(page, importUrl, { kind: 'text', text: JSON.stringify(coco) })).toBe(403);
    await page.goto(attacker.pageUrl('127.0.0.1'));
    expect(await formPost(page, importUrl, 'text/plain', cocoAsTextPlainForm(coco))).toBe(403);
    expect(await page.locator('body').textContent()).toContain('cross-origin request refused');
    expect(await counts()).toEqual(before);
  });

  it('cannot upload an image, as a typed Blob or as a multipart form (403), nothing stored', async () => {
    const before = await counts();
    const uploadUrl = `${own.stack.webUrl}/api/projects/${projectId}/images?name=forged.png`;
    await page.goto(attacker.pageUrl('127.0.0.1'));
    expect(await noCorsPost(page, uploadUrl, { kind: 'blob', bytes: png, type: 'image/png' })).toBe(403);
    expect(await noCorsPost(page, uploadUrl, { kind: 'form-data', field: 'file', fileName: 'forged.png', bytes: png, type: 'image/png' })).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it("a page of another site cannot log the manager out with a top-level form POST", async () => {
    await page.goto(attacker.pageUrl('localhost'));
    expect(await formPost(page, `${own.stack.webUrl}/trpc/auth.logout`, 'multipart/form-data', [['x', '1']])).toBe(403);
    await page.goto(`${own.stack.webUrl}/projects`);
    await page.getByTestId('user-name').filter({ hasText: manager.name }).waitFor();
  });

  it("the app's own pages still upload (same origin, through the proxy)", async () => {
    const before = await counts();
    await page.goto(`${own.stack.webUrl}/projects/${projectId}`);
    const status = await page.evaluate(async ({ url, bytes }) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
      return res.status;
    }, { url: `/api/projects/${projectId}/images?name=own.png`, bytes: png });
    expect(status).toBe(201);
    expect((await counts()).images).toBe(before.images + 1);
  });
});

describe('page policy', () => {
  it('every page forbids framing and sniffing, keeps its URL to itself, and sets a content security policy', async () => {
    const res = await fetch(`${own.stack.webUrl}/login`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("form-action 'self'");
  });

  it('another site cannot show the app in a frame', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(attacker.pageUrl('localhost'));
      await page.evaluate((src) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.appendChild(frame);
      }, `${own.stack.webUrl}/login`);
      await page.waitForTimeout(1500);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame).toBeDefined();
      expect(await frame!.locator('[data-testid="login-form"]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('the Account page', () => {
  it('changes the password: the wrong current one is refused, then the other session ends and the new one signs in', async () => {
    const user = await makeUser(env.deps.db, { role: 'annotator', name: 'Pat Password' });
    const elsewhere = await logInOn(browser, own.stack, user);
    const page = await logInOn(browser, own.stack, user);
    try {
      await page.getByTestId('user-name').click();
      await page.waitForURL('**/account');
      await page.getByTestId('account-identity').filter({ hasText: user.email }).waitFor();

      await page.getByTestId('current-password').fill('not-my-password');
      await page.getByTestId('new-password').fill('a-fresh-secret-7');
      await page.getByTestId('repeat-password').fill('a-fresh-secret-7');
      await page.getByTestId('change-password-submit').click();
      await expect.poll(() => page.getByTestId('change-password-error').textContent()).toContain('the current password is wrong');

      await page.getByTestId('current-password').fill(user.password);
      await page.getByTestId('change-password-submit').click();
      await expect.poll(() => page.getByTestId('change-password-done').textContent()).toContain('signed out everywhere else (1 other session)');

      await elsewhere.goto('/projects');
      await elsewhere.waitForURL((url) => url.pathname === '/login');
      await fillLogin(elsewhere, user.email, 'a-fresh-secret-7');
      await elsewhere.waitForURL('**/projects');
    } finally {
      await page.context().close();
      await elsewhere.context().close();
    }
  });
});

describe('the login form', () => {
  it('after 5 wrong passwords says when to try again', async () => {
    const user = await makeUser(env.deps.db, { role: 'annotator' });
    const context = await browser.newContext({ baseURL: own.stack.webUrl });
    const page = await context.newPage();
    try {
      await page.goto('/login');
      for (let i = 0; i < 6; i++) {
        await fillLogin(page, user.email, `wrong-${i}`);
        await page.getByTestId('login-error').waitFor();
        await page.waitForFunction(() => !(document.querySelector('[data-testid="login-submit"]') as HTMLButtonElement).disabled);
      }
      await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/too many failed sign-ins for this account; try again in \d+ seconds/);
    } finally {
      await context.close();
    }
  });
});
