// The annotator with BLOB_STORE=s3 in a real browser: api, worker and web processes of this file's
// own against a real S3 server process (s3rver) on a random port. The API answers the image and
// embedding requests with 302s to presigned URLs, so chromium fetches the bytes from the store's
// origin: the page's Content-Security-Policy must name that origin (sent per request from the web
// server's environment — the build knows nothing of this port) and the bucket must allow the web
// app's origin by CORS, set the way ops would (PutBucketCors).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Browser, Page, Response } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCheckpoint, SYSTEM_ACTOR, uploadImage } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import {
  createTestEnv,
  ensureWebBuild,
  loginCookie,
  makeProject,
  makeUser,
  startEnvStack,
  startS3Server,
  syntheticImageBytes,
  uploadBytes,
  waitFor,
  type MadeUser,
  type S3Server,
  type Stack,
  type TestEnv,
} from '@dataengine/testing';
import { launchBrowser, screenshot } from './browser';
import { logInOn } from './own-stack';

const IMAGE = { width: 480, height: 360 };
/** The contract decoder's best single-click candidate: a disc of radius 40 in the 1024 frame (SAM-SPEC.md §8). */
const BEST_SINGLE_CLICK_AREA = Math.PI * ((40 * IMAGE.width) / 1024) ** 2;

let s3: S3Server;
let env: TestEnv;
let stack: Stack;
let browser: Browser;
let page: Page;
let tmp: string;
let annotator: MadeUser;
let manager: MadeUser;
let projectId: string;
let imageId: number;
const responses: Response[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = await mkdtemp(path.join(tmpdir(), 'object-store-e2e-'));
  const store = { ...s3.env, BLOB_CACHE_DIR: path.join(tmp, 'cache') };
  env = await createTestEnv({ ...store, LOG_LEVEL: 'info' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  ({ id: projectId } = await makeProject(env.deps.db, { createdBy: manager, name: 'Scenes in a bucket', members: [{ user: annotator, role: 'annotator' }] }));
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'contract', activate: true });
  const upload = await uploadImage(env.deps, manager, { projectId, fileName: 'scene.png', body: Readable.from(await syntheticImageBytes({ seed: 11, ...IMAGE, format: 'png' })) });
  imageId = (upload as { image: { id: number } }).image.id;

  await ensureWebBuild();
  // the web server learns the store's address from its environment at start, as in production
  stack = await startEnvStack(env, { env: { ...store, S3_PRESIGN_SECONDS: '300' }, webEnv: { BLOB_STORE: 's3', S3_ENDPOINT: s3.endpoint } });
  // ops: the bucket lets the web app's pages read (GET) what the API's presigned URLs point at (README, Object storage)
  await s3.putBucketCors([{ AllowedOrigins: [stack.webUrl], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], MaxAgeSeconds: 3000 }]);
  await waitFor(async () => (await env.deps.db.embedding.count({ where: { imageId } })) > 0 || null, 'the worker to ingest and embed the image', 90_000, 250);

  browser = await launchBrowser();
  page = await logInOn(browser, stack, annotator);
  page.on('response', (response) => responses.push(response));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await env?.close();
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Screen position (page coordinates) of an image pixel, from the canvas's current view transform. */
async function screenPoint(x: number, y: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('annotate-canvas');
  const box = (await canvas.boundingBox())!;
  const [scale, ox, oy] = await canvas.evaluate((c) => [Number(c.dataset['scale']), Number(c.dataset['offsetX']), Number(c.dataset['offsetY'])]);
  return { x: box.x + ox + x * scale!, y: box.y + oy + y * scale! };
}

/** The leased image on screen with its embedding in the decoder; a CSP or CORS refusal stops it short, so the error quotes the console. */
async function toolReady(): Promise<void> {
  try {
    await page.getByTestId('annotate-workspace').waitFor();
    await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor();
    await page.getByTestId('embedding-loading').waitFor({ state: 'detached', timeout: 60_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nconsole errors: ${consoleErrors.join('\n') || 'none'}`);
  }
}

const maskArea = async () => Number(await page.getByTestId('current-mask-area').getAttribute('data-area'));

describe('the annotator with BLOB_STORE=s3 (presigned redirects, s3rver process)', () => {
  it('sends a Content-Security-Policy that admits the store\'s origin, read when the web server started', async () => {
    const document = await page.goto(`/projects/${projectId}/annotate`);
    const csp = (await document!.allHeaders())['content-security-policy'] ?? '';
    expect(csp).toContain(`img-src 'self' blob: data: ${s3.endpoint};`);
    expect(csp).toContain(`connect-src 'self' blob: data: ${s3.endpoint};`);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('loads the image and its embedding from the store\'s origin, and a click gives a mask with no CSP or CORS error', async () => {
    await page.getByTestId('next-image').click();
    await toolReady();
    expect(Number(await page.getByTestId('annotate-workspace').getAttribute('data-image-id'))).toBe(imageId);

    // the API redirected, and chromium fetched the bytes from the bucket under their keys, allowed by CORS
    const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId } });
    const embedding = await env.deps.db.embedding.findFirstOrThrow({ where: { imageId } });
    const fromStore = (key: string) => responses.find((r) => r.url().startsWith(`${s3.endpoint}/${s3.bucket}/${key}?`));
    for (const key of [image.blobKey, embedding.blobKey]) {
      const response = fromStore(key);
      expect(response, `a response from ${s3.endpoint} for ${key}`).toBeDefined();
      expect(response!.status()).toBe(200);
      expect((await response!.allHeaders())['access-control-allow-origin']).toBe(stack.webUrl);
      const redirect = response!.request().redirectedFrom();
      expect(redirect && new URL(redirect.url()).pathname).toMatch(new RegExp(`^/api/images/${imageId}/(file|embedding)$`));
    }
    expect((await fromStore(embedding.blobKey)!.body()).byteLength).toBe(embedding.byteSize);

    const at = await screenPoint(IMAGE.width / 2, IMAGE.height / 2);
    await page.mouse.click(at.x, at.y);
    await page.locator('[data-testid="current-mask-area"][data-pending="false"]').waitFor();
    await expect.poll(maskArea).toBeGreaterThan(0);
    expect(Math.abs((await maskArea()) - BEST_SINGLE_CLICK_AREA) / BEST_SINGLE_CLICK_AREA).toBeLessThan(0.05);
    await screenshot(page, 'annotate-object-store');

    // CSP violations and CORS refusals are reported on the console; there must be none (nor other errors)
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('passes an upload larger than the proxy\'s body buffer (10 MB) through the web app whole', async () => {
    // incompressible pixels, stored uncompressed: about 12 MB (Next buffers at most 10 MB of a body its proxy sees)
    const side = 2000;
    const bytes = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(bytes.byteLength).toBeGreaterThan(11 * 1024 * 1024);
    const cookie = await loginCookie(stack.webUrl, manager.email, manager.password);
    const res = await uploadBytes(stack.webUrl, projectId, bytes, cookie, 'noise.png');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const row = await env.deps.db.image.findUniqueOrThrow({ where: { id: Number(res.body.image?.id ?? res.body.id) } });
    expect(row.contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
  }, 60_000);
});
