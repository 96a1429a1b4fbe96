// The steps every browser test shares, on top of ./chromium (launch flags and the steps that need
// no test runner): users and the web URL come from the suite's global setup (vitest inject).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inject } from 'vitest';
import { DESKTOP_VIEWPORT, fillLogin, SCREENSHOT_DIR } from './chromium';
import type { E2eUser } from './provided-context';

export { fillLogin, launchBrowser, openProject, SCREENSHOT_DIR } from './chromium';

/** A fresh browser profile (no cookies) at a desktop size, addressing the web app by path. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: inject('e2eWebUrl'), viewport: DESKTOP_VIEWPORT });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return { context, page };
}

export function demoUser(role: E2eUser['role']): E2eUser {
  const user = inject('e2eUsers').find((u) => u.role === role);
  if (!user) throw new Error(`the demo seed has no ${role}`);
  return user;
}

export const demoPassword = (): string => inject('e2ePassword');

/** Logs in through the form and waits for the projects page with the user in the top bar. */
export async function logIn(page: Page, role: E2eUser['role']): Promise<E2eUser> {
  const user = demoUser(role);
  await page.goto('/login');
  await fillLogin(page, user.email, demoPassword());
  await page.waitForURL('**/projects');
  await page.getByTestId('user-name').filter({ hasText: user.name }).waitFor();
  return user;
}

/** Waits until `count` tiles show a decoded thumbnail, and returns their natural widths. */
export async function loadedThumbnailWidths(page: Page, count: number): Promise<number[]> {
  const selector = '[data-testid="image-thumb"]';
  await page.waitForFunction(
    ({ selector, count }) => {
      const images = Array.from(document.querySelectorAll<HTMLImageElement>(selector));
      return images.length >= count && images.every((img) => img.complete && img.naturalWidth > 0);
    },
    { selector, count },
  );
  return page.$$eval(selector, (images) => images.map((img) => (img as HTMLImageElement).naturalWidth));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // a full-page shot of a scrolled page draws the sticky top bar where the view was, mid-page
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
