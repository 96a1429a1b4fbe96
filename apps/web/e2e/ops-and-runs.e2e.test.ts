// The Runs page: ops see the engine's runs (the demo's ingest runs among them); annotators are refused.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, openPage, openProject, screenshot } from './browser';

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

/** The seeded ingest runs: all 8 scenes of the demo project, and 2 (a quarter) of the restricted one. */
const SEEDED_RUNS = [
  { project: 'Synthetic scenes', counts: '8/8 done' },
  { project: 'Restricted survey', counts: '2/2 done' },
];

const seededRunRow = (project: string) =>
  page.locator('[data-testid="run-row"][data-kind="ingest"]').filter({ has: page.getByRole('link', { name: project, exact: true }) }).filter({ hasText: 'manager@demo.local' }).last();

describe('ops', () => {
  it('sees the Runs page listing the seeding ingest runs as succeeded', async () => {
    await logIn(page, 'ops');
    await page.getByTestId('nav-runs').click();
    await page.waitForURL('**/runs');
    await page.getByTestId('runs-table').waitFor();
    for (const run of SEEDED_RUNS) {
      const row = seededRunRow(run.project);
      expect(await row.getAttribute('data-status'), run.project).toBe('succeeded');
      expect(await row.getByTestId('run-counts').textContent()).toBe(run.counts);
    }
    await screenshot(page, 'runs');
  });

  it('has a read-only project view with Re-ingest, whose run then shows on the Runs page', async () => {
    await logIn(page, 'ops');
    await openProject(page, 'Restricted survey');
    expect(await page.getByTestId('upload-input').count()).toBe(0);
    expect(await page.getByTestId('add-member-form').count()).toBe(0);
    expect(await page.getByTestId('stage-select').count()).toBe(0);
    await page.getByTestId('members-panel').getByTestId('member-row').first().waitFor();

    const before = await page.request.get('/trpc/runs.list?input=' + encodeURIComponent(JSON.stringify({ limit: 200 })));
    const runsBefore = ((await before.json()) as { result: { data: unknown[] } }).result.data.length;
    await page.getByTestId('reingest-all').check();
    await page.getByTestId('reingest').click();
    await expect.poll(() => page.getByTestId('reingest-result').textContent()).toContain('Started an ingest run over 2 images');

    await page.getByTestId('reingest-result').getByRole('link').click();
    await page.waitForURL('**/runs');
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(runsBefore + 1);
    const newest = page.getByTestId('run-row').first();
    await expect.poll(() => newest.getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded');
    expect(await newest.textContent()).toContain('ops@demo.local');
  });
});

describe('an annotator', () => {
  it('opening /runs directly is refused with a clear message (the API answers 403)', async () => {
    await logIn(page, 'annotator');
    const refused = page.waitForResponse((res) => res.url().includes('/trpc/') && res.url().includes('runs.list'));
    await page.goto('/runs');
    expect((await refused).status()).toBe(403);
    const notice = page.getByTestId('forbidden');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/not allowed/i);
    expect(await notice.textContent()).toContain('needs the ops or admin role');
    expect(await page.getByTestId('runs-table').count()).toBe(0);
  });
});
