// Debian's chromium driven by playwright-core, without the test runner: the launch flags, the
// desktop size and the steps that do not need the suite's provided context. Shared by the browser
// tests (through ./browser) and by scripts/screenshot-annotate.ts.
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '@dataengine/testing';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs/screenshots');
/** The desktop size of the README's screenshots. */
export const DESKTOP_VIEWPORT = { width: 1360, height: 900 } as const;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function fillLogin(page: Page, email: string, password: string): Promise<void> {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Opens a project from the projects page by its card, and waits for its first page of images. */
export async function openProject(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="project-card"][data-project-name="${name}"]`).click();
  await page.getByTestId('project-name').filter({ hasText: name }).waitFor();
  await page.getByTestId('image-tile').first().waitFor();
}
