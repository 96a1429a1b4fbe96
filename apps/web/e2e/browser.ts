// Chromium (Debian's) driven by playwright-core, plus the few steps every browser test shares.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { REPO_ROOT } from '@dataengine/testing';
import type { E2eUser } from './provided-context';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs/screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A fresh browser profile (no cookies) at a desktop size, addressing the web app by path. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: inject('e2eWebUrl'), viewport: { width: 1360, height: 900 } });
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

export async function fillLogin(page: Page, email: string, password: string): Promise<void> {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Logs in through the form and waits for the projects page with the user in the top bar. */
export async function logIn(page: Page, role: E2eUser['role']): Promise<E2eUser> {
  const user = demoUser(role);
  await page.goto('/login');
  await fillLogin(page, user.email, demoPassword());
  await page.waitForURL('**/projects');
  await page.getByTestId('user-name').filter({ hasText: user.name }).waitFor();
  return user;
}

/** Opens a project from the projects page by its card, and waits for its first page of images. */
export async function openProject(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="project-card"][data-project-name="${name}"]`).click();
  await page.getByTestId('project-name').filter({ hasText: name }).waitFor();
  await page.getByTestId('image-tile').first().waitFor();
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
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
