// Logging in and out, session handling, and what an annotator sees.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoPassword, demoUser, fillLogin, launchBrowser, loadedThumbnailWidths, logIn, openPage, openProject, screenshot } from './browser';

const DEMO_PROJECT = 'Synthetic scenes';
const HIDDEN_PROJECT = 'Restricted survey';
/** 8 seeded scenes of 480×360 get thumbnails that fit inside 320 px (THUMBNAIL_SIZE). */
const SEEDED_IMAGES = 8;

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  ({ page } = await openPage(browser));
  return () => page.context().close();
});

describe('login', () => {
  it('shows the API message for a wrong password and stays on /login', async () => {
    await page.goto('/login');
    await page.getByTestId('login-form').waitFor();
    await screenshot(page, 'login');
    await fillLogin(page, demoUser('annotator').email, 'not-the-password');
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('wrong e-mail or password');
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('sends a visitor without a session from a protected page to /login, and back after logging in', async () => {
    await page.goto('/runs');
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/runs');
    const ops = demoUser('ops');
    await fillLogin(page, ops.email, demoPassword());
    await page.waitForURL('**/runs');
    await page.getByTestId('runs-table').waitFor();
  });
});

describe('an annotator', () => {
  it('sees the demo project with loaded thumbnails, but neither the restricted project nor Runs', async () => {
    await logIn(page, 'annotator');
    await expect.poll(() => page.getByTestId('user-role').textContent()).toBe('annotator');
    await page.locator(`[data-testid="project-card"][data-project-name="${DEMO_PROJECT}"]`).waitFor(); // the list arrives whole
    const names = await page.getByTestId('project-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-project-name')));
    expect(names).toContain(DEMO_PROJECT);
    expect(names).not.toContain(HIDDEN_PROJECT);
    expect(await page.getByText(HIDDEN_PROJECT).count()).toBe(0);
    expect(await page.getByTestId('nav-runs').count()).toBe(0);
    expect(await page.getByTestId('nav-projects').count()).toBe(1);
    expect(await page.getByTestId('new-project-form').count()).toBe(0);

    await openProject(page, DEMO_PROJECT);
    const widths = await loadedThumbnailWidths(page, SEEDED_IMAGES);
    expect(widths).toHaveLength(SEEDED_IMAGES);
    for (const width of widths) expect(width).toBe(320);
    expect(await page.getByTestId('project-image-count').textContent()).toBe(String(SEEDED_IMAGES));
    // only the grid: no upload, members, stage editing or operations
    for (const testId of ['upload-panel', 'upload-input', 'members-panel', 'stage-select', 'reingest']) {
      expect(await page.getByTestId(testId).count(), testId).toBe(0);
    }
    // COOP + COEP took effect, and same-origin images still loaded under them
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  });

  it('pages through the grid with the API cursor ("Load more")', async () => {
    await logIn(page, 'annotator');
    await openProject(page, DEMO_PROJECT);
    await page.goto(`${new URL(page.url()).pathname}?per=3`);
    const fileNames = () => page.getByTestId('image-tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-file-name')));
    await expect.poll(fileNames).toEqual(['scene-0001.jpg', 'scene-0002.jpg', 'scene-0003.jpg']);
    for (const shown of [6, 8]) {
      await page.getByTestId('load-more').click();
      await expect.poll(async () => (await fileNames()).length).toBe(shown);
    }
    expect(await fileNames()).toEqual(Array.from({ length: SEEDED_IMAGES }, (_, i) => `scene-000${i + 1}.jpg`));
    expect(await page.getByTestId('load-more').count()).toBe(0);
    expect(await page.getByTestId('image-grid-count').textContent()).toBe(`showing ${SEEDED_IMAGES} of ${SEEDED_IMAGES}`);
  });
});

describe('the session', () => {
  it('ends with Log out: back on /login, and protected pages redirect there', async () => {
    await logIn(page, 'annotator');
    await page.getByTestId('logout').click();
    await page.waitForURL((url) => url.pathname === '/login');
    for (const path of ['/projects', '/runs']) {
      await page.goto(path);
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === path);
      await page.getByTestId('login-form').waitFor();
    }
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'de_session')).toBeUndefined();
  });

  it('when it expires mid-visit, the next request leads to /login with a message and the way back', async () => {
    await logIn(page, 'annotator');
    await page.context().clearCookies(); // the server no longer knows this browser
    await openProjectExpectingLogin(page);
    expect(await page.getByTestId('login-notice').textContent()).toContain('session has expired');
  });
});

/** Client-side navigation to a project whose data now answers 401. */
async function openProjectExpectingLogin(current: Page): Promise<void> {
  const card = current.locator(`[data-testid="project-card"][data-project-name="${DEMO_PROJECT}"]`);
  const href = await card.getAttribute('href');
  await card.click();
  await current.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === href && url.searchParams.get('reason') === 'expired');
}
