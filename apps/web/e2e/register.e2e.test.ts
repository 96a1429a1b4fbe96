// "Register from storage" on the project page, in chromium, on a stack of this file's own whose
// api and worker keep blobs in a real S3 server process (s3rver): objects put under a prefix with
// the S3 client are registered by a manager from the form, the run is followed to its summary (the
// non-image object named with its reason), the images appear in the grid with their thumbnails,
// registering again adds nothing, and an annotator of the project does not see the form.
// Thumbnails go through the API (S3_PRESIGN_SECONDS=0): the suite's web build admits no S3 origin.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestEnv,
  ensureWebBuild,
  makeProject,
  makeUser,
  S3_SERVER_CREDENTIALS,
  startEnvStack,
  startS3Server,
  syntheticImageBytes,
  type MadeUser,
  type S3Server,
  type Stack,
  type TestEnv,
} from '@dataengine/testing';
import { launchBrowser, loadedThumbnailWidths, screenshot } from './browser';
import { logInOn } from './own-stack';

const PREFIX = 'photos/aisle-3/';
let s3: S3Server;
let env: TestEnv;
let stack: Stack;
let browser: Browser;
let manager: MadeUser;
let annotator: MadeUser;
let project: { id: string };
let tmp: string;

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = await mkdtemp(path.join(tmpdir(), 'register-e2e-'));
  // the store under store/ in the bucket, the dataset under photos/ (which ops allow)
  const storeEnv = { ...s3.env, S3_PREFIX: 'store', REGISTER_SOURCES: `s3://${s3.bucket}/photos/`, BLOB_CACHE_DIR: path.join(tmp, 'cache'), S3_PRESIGN_SECONDS: '0' };
  env = await createTestEnv({ LOG_LEVEL: 'info', ...storeEnv });
  manager = await makeUser(env.deps.db, { role: 'manager', name: 'Mira Manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator', name: 'Ann Annotator' });
  project = await makeProject(env.deps.db, { createdBy: manager, name: 'Shelf audit', members: [{ user: annotator, role: 'annotator' }] });
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { ...S3_SERVER_CREDENTIALS } });
  for (const [i, name] of ['shelf-01.jpg', 'shelf-02.jpg', 'shelf-03.png'].entries()) {
    const body = await syntheticImageBytes({ seed: 300 + i, width: 320, height: 240, format: name.endsWith('png') ? 'png' : 'jpeg' });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: PREFIX + name, Body: body }));
  }
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}label.jpg`, Body: 'a label, typed out' }));
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}manifest.csv`, Body: 'file,aisle\n' }));
  client.destroy();
  await ensureWebBuild();
  stack = await startEnvStack(env, { env: storeEnv });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await env?.close();
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function registerPrefix(page: Page, previousRunId: string | null): Promise<string> {
  await page.getByTestId('register-prefix').fill(PREFIX);
  await page.getByTestId('register-start').click();
  const finished = page.locator(`[data-testid="register-run"]${previousRunId ? `:not([data-run-id="${previousRunId}"])` : ''}:is([data-status="succeeded"], [data-status="failed"])`);
  await finished.waitFor({ timeout: 60_000 });
  return (await finished.getAttribute('data-run-id'))!;
}

describe('registering images from object storage on the project page', () => {
  let page: Page;
  let firstRun = '';
  beforeAll(async () => {
    page = await logInOn(browser, stack, manager);
  });
  afterAll(() => page?.context().close());

  it('a manager registers a prefix: the run ends with its summary, the bad object named, the images in the grid', async () => {
    await page.goto(`/projects/${project.id}`);
    await page.getByTestId('register-panel').waitFor();
    expect(await page.getByTestId('register-sources').textContent()).toBe(`Allowed: s3://${s3.bucket}/photos/`);
    // nothing given: the form says what is missing, and nothing is started
    await page.getByTestId('register-start').click();
    expect(await page.getByTestId('register-problem').textContent()).toMatch(/^Give the prefix/);
    firstRun = await registerPrefix(page, null);
    const run = page.locator(`[data-testid="register-run"][data-run-id="${firstRun}"]`);
    expect(await run.getByTestId('register-status').textContent()).toBe('succeeded with errors');
    expect(await run.getByTestId('register-listed').textContent()).toBe('5');
    expect(await run.getByTestId('register-done').textContent()).toBe('3 of 4');
    expect(await run.getByTestId('register-failed').textContent()).toBe('1');
    expect(await run.getByTestId('register-skipped').textContent()).toBe('1');
    expect(await run.getByTestId('register-errors').textContent()).toMatch(new RegExp(`the object s3://${s3.bucket}/${PREFIX}label\\.jpg is not an image we can read`));
    expect(await run.getByTestId('register-skipped-examples').textContent()).toContain(`${PREFIX}manifest.csv: not an image file name`);

    const rows = await env.deps.db.image.findMany({ where: { projectId: project.id, status: 'ready' }, select: { blobKey: true } });
    expect(rows.map((r) => r.blobKey).sort()).toEqual(['shelf-01.jpg', 'shelf-02.jpg', 'shelf-03.png'].map((n) => `sources/${s3.bucket}/${PREFIX}${n}`));
    // the grid refreshes when the run ends: the images, thumbnails decoded (read from the objects in place)
    expect(await loadedThumbnailWidths(page, 3)).toEqual(Array(3).fill(Math.min(320, env.config.THUMBNAIL_SIZE)));
    await screenshot(page, 'register-from-storage');
  }, 120_000);

  it('registering the same prefix again adds no image', async () => {
    await page.goto(`/projects/${project.id}`);
    const before = await env.deps.db.image.count({ where: { projectId: project.id } });
    const second = await registerPrefix(page, firstRun);
    const run = page.locator(`[data-testid="register-run"][data-run-id="${second}"]`);
    expect(await run.getByTestId('register-already').textContent()).toBe('3');
    expect(await env.deps.db.image.count({ where: { projectId: project.id } })).toBe(before);
  }, 90_000);

  it('an annotator of the project does not see the form', async () => {
    const annotatorPage = await logInOn(browser, stack, annotator);
    await annotatorPage.goto(`/projects/${project.id}`);
    await annotatorPage.getByTestId('image-tile').first().waitFor();
    expect(await annotatorPage.getByTestId('register-panel').count()).toBe(0);
    await annotatorPage.context().close();
  }, 60_000);
});
