// A manager: creates a project, uploads through the same-origin proxy into a real ingest, and
// manages members. Uploads go to a project of this file's own, so other files' counts hold.
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syntheticImageBytes } from '@dataengine/testing';
import { demoUser, launchBrowser, loadedThumbnailWidths, logIn, openPage, openProject, screenshot } from './browser';

const DEMO_PROJECT = 'Synthetic scenes';
const NEW_PROJECT = 'E2E uploads';

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
  await logIn(page, 'manager');
  return () => page.context().close();
});

const tile = (fileName: string) => page.locator(`[data-testid="image-tile"][data-file-name="${fileName}"]`);
const uploadItem = (fileName: string, state: string) => page.locator(`[data-testid="upload-item"][data-file-name="${fileName}"][data-state="${state}"]`);

describe('a manager', () => {
  it('sees every project of theirs and the New project form', async () => {
    await page.getByTestId('new-project-form').waitFor();
    await page.locator('[data-testid="project-card"][data-project-name="Restricted survey"]').waitFor();
    const names = await page.getByTestId('project-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-project-name')));
    expect(names).toEqual(expect.arrayContaining(['Restricted survey', DEMO_PROJECT]));
    await screenshot(page, 'projects');
  });

  it('creates a project and uploads a PNG that is ingested into a ready tile; a non-image is refused with the API reason', async () => {
    await page.getByTestId('new-project-name').fill(NEW_PROJECT);
    await page.getByTestId('new-project-description').fill('Made by the browser tests.');
    await page.getByTestId('new-project-submit').click();
    await page.getByTestId('project-name').filter({ hasText: NEW_PROJECT }).waitFor();
    await page.getByTestId('images-empty').waitFor();
    await page.getByTestId('members-panel').locator('[data-testid="member-row"][data-email="manager@demo.local"]').waitFor();

    // a synthetic scene, re-encoded as PNG by sharp
    const png = await sharp(await syntheticImageBytes({ seed: 4242, width: 400, height: 300 })).png().toBuffer();
    await page.getByTestId('upload-input').setInputFiles({ name: 'e2e-upload.png', mimeType: 'image/png', buffer: png });
    await uploadItem('e2e-upload.png', 'stored').waitFor();
    await tile('e2e-upload.png').and(page.locator('[data-status="ready"]')).waitFor({ timeout: 30_000 });
    expect(await loadedThumbnailWidths(page, 1)).toEqual([320]); // 400×300 fits 320 px wide
    await expect.poll(() => page.getByTestId('project-image-count').textContent()).toBe('1');

    await page.getByTestId('upload-input').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('%PDF-1.7 this is a document, not a picture') });
    await uploadItem('notes.png', 'failed').waitFor();
    expect(await uploadItem('notes.png', 'failed').getByTestId('upload-message').textContent()).toMatch(/not an image/);
    expect(await page.getByTestId('image-tile').count()).toBe(1);
    expect(await page.getByTestId('project-image-count').textContent()).toBe('1');
  });

  it('uploads an image into the held-out set, sees it counted and badged, and moves it back to train', async () => {
    await openProject(page, NEW_PROJECT);
    const panel = page.getByTestId('held-out-panel');
    await panel.getByTestId('held-out-count').waitFor();
    // the first upload went in as auto: the project's share by content hash decided its side
    const before = Number(await panel.getByTestId('held-out-count').getAttribute('data-val'));
    const png = await sharp(await syntheticImageBytes({ seed: 4343, width: 200, height: 150 })).png().toBuffer();
    await page.getByTestId('upload-split').selectOption('val');
    await page.getByTestId('upload-input').setInputFiles({ name: 'e2e-val.png', mimeType: 'image/png', buffer: png });
    await uploadItem('e2e-val.png', 'stored').waitFor();
    await tile('e2e-val.png').and(page.locator('[data-split="val"]')).waitFor();
    expect(await tile('e2e-val.png').getByTestId('image-split').textContent()).toBe('val');
    await expect.poll(() => panel.getByTestId('held-out-count').getAttribute('data-val')).toBe(String(before + 1));
    expect(await panel.getByTestId('held-out-evaluation').textContent()).toContain('it needs 50');

    // a tile opens the image viewer: /projects/<id>/images/<imageId>
    const id = (await tile('e2e-val.png').getAttribute('href'))!.match(/\/images\/(\d+)$/)![1]!;
    await panel.getByTestId('held-out-ids').fill(id);
    await panel.getByTestId('held-out-mark-train').click();
    await expect.poll(() => panel.getByTestId('held-out-moved').textContent()).toBe('1 image moved to train.');
    await expect.poll(() => panel.getByTestId('held-out-count').getAttribute('data-val')).toBe(String(before));
    await tile('e2e-val.png').and(page.locator('[data-split="train"]')).waitFor();
  });

  it('adds a member by e-mail with a role, removes them again, and sees why an unknown e-mail fails', async () => {
    await openProject(page, DEMO_PROJECT);
    await page.getByTestId('upload-panel').waitFor();
    await page.getByTestId('stage-select').waitFor();
    const admin = demoUser('admin');
    const row = page.locator(`[data-testid="member-row"][data-email="${admin.email}"]`);
    await page.getByTestId('members-panel').locator('[data-testid="member-row"]').first().waitFor();
    expect(await row.count()).toBe(0);
    await page.getByTestId('add-member-email').fill(admin.email);
    await page.getByTestId('add-member-role').selectOption('annotator');
    await page.getByTestId('add-member-submit').click();
    await row.waitFor();
    expect(await row.locator('.role-chip').textContent()).toBe('annotator');

    await row.getByTestId('remove-member').click();
    await row.waitFor({ state: 'detached' });
    await loadedThumbnailWidths(page, 8);
    await screenshot(page, 'project');

    await page.getByTestId('add-member-email').fill('nobody@demo.local');
    await page.getByTestId('add-member-submit').click();
    await expect.poll(() => page.getByTestId('members-error').textContent()).toContain('no user has the e-mail nobody@demo.local');
  });
});
