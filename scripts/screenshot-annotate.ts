// npm run screenshots:annotate — takes docs/screenshots/annotate.png as an annotator sees the tool:
// the built-in model (models/default) on the demo project, in an installation of its own (a fresh
// PostgreSQL schema, Redis prefix and blob directory, all removed at the end; a user's demo data is
// never touched). It seeds the demo like `npm run demo`, starts api, worker and web, logs in as the
// demo annotator in Debian's chromium, leases the queue's next image and clicks once inside each of
// its three largest objects that lie apart (at the point farthest from the object's boundary, from
// the scene's ground truth): two masks accepted, the third shown with its candidates. The project gets a label
// per kind of object clicked (its label set, as a manager would define it), picked with its number key before
// each click, so the picture shows the tool with labels. It prints each mask's IoU with the object clicked,
// so the picture's quality is stated, not assumed. Re-run it after the built-in model changes.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createLabel, demoSceneOptions, DEMO_PASSWORD, DEMO_SEED, DEMO_USERS, getActiveCheckpoint, seedDemo, SYSTEM_ACTOR } from '@dataengine/engine';
import { decodeRle } from '@dataengine/segment';
import { generateScene, type Scene } from '@dataengine/synth';
import { createTestEnv, startEnvStack, TEST_DATABASE_URL, TEST_REDIS_URL, waitFor, type Stack, type TestEnv } from '@dataengine/testing';
import { DESKTOP_VIEWPORT, fillLogin, launchBrowser, openProject, SCREENSHOT_DIR } from '../apps/web/e2e/chromium';
import { ensureFreshWebBuild } from '../apps/web/e2e/web-build';
import { largestWholeObjects, scoreMask, type ClickTarget } from './lib/click-targets';
// @ts-expect-error plain ESM helper without types
import { ensureServices, log } from './lib/ensure.mjs';

const PROJECT = { slug: 'synthetic-scenes', name: 'Synthetic scenes' };
const ANNOTATOR = DEMO_USERS.find((u) => u.role === 'annotator')!;
/** Objects clicked; all but the last are accepted, the last stays on screen with its candidates. */
const CLICKS = 3;
const OUTPUT = path.join(SCREENSHOT_DIR, 'annotate.png');
const INGEST_TIMEOUT_MS = 180_000;
const EMBEDDING_TIMEOUT_MS = 300_000;

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
const resources: { env?: TestEnv; stack?: Stack; browser?: Browser } = {};
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

/** Browser, processes, then the installation (schema, Redis keys, blobs); safe to call twice. */
async function shutDown(): Promise<void> {
  const { browser, stack, env } = resources;
  resources.browser = resources.stack = resources.env = undefined;
  await browser?.close().catch((error: Error) => console.error(`closing chromium: ${error.message}`));
  await stack?.stop();
  await env?.close();
}

async function installDemo(): Promise<{ env: TestEnv; checkpointId: string; ingestRunIds: string[] }> {
  const env = (resources.env = await createTestEnv({ LOG_LEVEL: 'info' })); // info: startStack waits for "worker started"
  const seeded = await seedDemo(env.deps, { ...DEMO_SEED, modelDir: env.config.defaultModelDir });
  const checkpoint = await getActiveCheckpoint(env.deps);
  if (!checkpoint) throw new Error(`no checkpoint is active: is there a bundle in ${env.config.defaultModelDir}?`);
  log(`demo seeded in schema ${env.schema} with checkpoint "${checkpoint.name}" (${env.config.defaultModelDir})`);
  return { env, checkpointId: checkpoint.id, ingestRunIds: seeded.ingestRunIds };
}

async function waitForIngest(env: TestEnv, runIds: string[]): Promise<void> {
  await waitFor(
    async () => {
      const runs = await env.deps.db.run.findMany({ where: { id: { in: runIds } }, select: { status: true } });
      return runs.length === runIds.length && runs.every((r) => r.status === 'succeeded');
    },
    'the demo ingest runs to succeed',
    INGEST_TIMEOUT_MS,
    500,
  );
}

/** Screen position (page coordinates) of an image pixel, from the canvas's view transform. */
async function screenPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('annotate-canvas');
  const box = (await canvas.boundingBox())!;
  const [scale, ox, oy] = await canvas.evaluate((c) => [Number(c.dataset['scale']), Number(c.dataset['offsetX']), Number(c.dataset['offsetY'])]);
  // the pixel's centre, as the ground truth's click point means it
  return { x: box.x + ox! + (x + 0.5) * scale!, y: box.y + oy! + (y + 0.5) * scale! };
}

async function waitForMask(page: Page): Promise<number> {
  await page.locator('[data-testid="current-mask-area"][data-pending="false"]').waitFor();
  const area = () => page.getByTestId('current-mask-area').getAttribute('data-area').then(Number);
  return waitFor(area, 'a non-empty mask from the click', 20_000, 100);
}

/** Logs in as the demo annotator, opens the project's tool and leases the next image; returns its id. */
async function openAnnotateTool(page: Page, env: TestEnv, checkpointId: string): Promise<number> {
  await page.goto('/login');
  await fillLogin(page, ANNOTATOR.email, DEMO_PASSWORD);
  await page.waitForURL('**/projects');
  await openProject(page, PROJECT.name);
  await page.getByTestId('annotate-link').click();
  await page.getByTestId('next-image').click();
  return waitForImage(page, env, checkpointId);
}

/** The leased image open in the tool with its embedding and the decoder ready; returns its id. */
async function waitForImage(page: Page, env: TestEnv, checkpointId: string): Promise<number> {
  const workspace = page.getByTestId('annotate-workspace');
  await workspace.waitFor();
  const imageId = Number(await workspace.getAttribute('data-image-id'));
  // the lease asked for this image's embedding first; the worker computes it with the built-in encoder
  await waitFor(
    () => env.deps.db.embedding.findUnique({ where: { imageId_checkpointId: { imageId, checkpointId } } }),
    `the embedding of image ${imageId}`,
    EMBEDDING_TIMEOUT_MS,
    500,
  );
  await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor({ timeout: 120_000 });
  await page.getByTestId('embedding-loading').waitFor({ state: 'detached', timeout: 120_000 });
  return imageId;
}

async function leasedScene(env: TestEnv, imageId: number): Promise<{ fileName: string; scene: Scene }> {
  const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId }, select: { fileName: true, project: { select: { slug: true } } } });
  const options = demoSceneOptions(DEMO_SEED, image.project.slug, image.fileName);
  if (!options) throw new Error(`image ${imageId} (${image.fileName}) is not one the demo seed made`);
  return { fileName: image.fileName, scene: generateScene(options) };
}

/**
 * Gives the project a label per kind of object clicked (as its manager would on the project page),
 * then reloads the tool, which picks the leased image up again. Returns the kinds in label order.
 */
async function labelTheProject(page: Page, env: TestEnv, checkpointId: string, targets: ClickTarget[]): Promise<string[]> {
  const kinds = [...new Set(targets.map((t) => t.instance.kind))];
  const { id: projectId } = await env.deps.db.project.findUniqueOrThrow({ where: { slug: PROJECT.slug }, select: { id: true } });
  for (const kind of kinds) await createLabel(env.deps, SYSTEM_ACTOR, { projectId, name: kind });
  await page.reload();
  const next = page.locator('[data-testid="next-image"]:not([disabled])');
  await page.getByTestId('annotate-workspace').or(next).first().waitFor();
  if (await next.isVisible()) await next.click();
  await waitForImage(page, env, checkpointId);
  await page.getByTestId('label-picker').waitFor();
  return kinds;
}

/** One click per target (its label's key first), each waiting for its mask; Enter accepts all but the last. */
async function clickTargets(page: Page, targets: ClickTarget[], kinds: string[]): Promise<void> {
  for (const [i, target] of targets.entries()) {
    await page.keyboard.press(String(kinds.indexOf(target.instance.kind) + 1));
    const at = await screenPoint(page, target.x, target.y);
    await page.mouse.click(at.x, at.y);
    await waitForMask(page);
    if (i === targets.length - 1) break;
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="mask-row"][data-sync="saved"]').nth(i).waitFor();
  }
  // the pointer off the image, so no aim marker or cursor sits on the picture
  await page.mouse.move(DESKTOP_VIEWPORT.width - 10, DESKTOP_VIEWPORT.height - 10);
}

/** The masks saved on the image, oldest first, as the API stores them. */
async function savedMasks(env: TestEnv, imageId: number, count: number) {
  await waitFor(async () => (await env.deps.db.mask.count({ where: { imageId, deletedAt: null } })) === count, `${count} saved masks`, 20_000, 100);
  return env.deps.db.mask.findMany({ where: { imageId, deletedAt: null }, orderBy: { id: 'asc' }, include: { label: { select: { name: true } } } });
}

function report(scene: Scene, fileName: string, targets: ClickTarget[], masks: Awaited<ReturnType<typeof savedMasks>>): void {
  console.log(`\n  ${fileName}: one click per object, IoU with the ground truth of the object clicked`);
  const ious: number[] = [];
  for (const [i, target] of targets.entries()) {
    const mask = masks[i]!;
    const score = scoreMask(scene, target, decodeRle({ size: [mask.rleHeight, mask.rleWidth], counts: mask.rleCounts }));
    ious.push(score.iou);
    const o = target.instance;
    const shown = i === targets.length - 1 ? 'shown with its candidates' : 'accepted';
    const part = score.bestMatch.instance === o ? '' : ` (matches its ${score.bestMatch.instance.level} "${score.bestMatch.instance.kind}" better: ${score.bestMatch.iou.toFixed(3)})`;
    console.log(
      `  #${i + 1} ${o.kind.padEnd(10)} ${String(o.area).padStart(6)} px  click (${target.x}, ${target.y})  mask ${String(mask.area).padStart(6)} px` +
        `  predicted IoU ${mask.predictedIou?.toFixed(2) ?? '–'}  IoU ${score.iou.toFixed(3)}  label ${mask.label?.name ?? '–'}  [${shown}]${part}`,
    );
  }
  console.log(`  mean IoU ${(ious.reduce((a, b) => a + b, 0) / ious.length).toFixed(3)}\n`);
}

async function main(): Promise<void> {
  await ensureServices({ databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL });
  log('building the web app when its sources changed…');
  await ensureFreshWebBuild();
  const { env, checkpointId, ingestRunIds } = await installDemo();
  resources.stack = await startEnvStack(env);
  await waitForIngest(env, ingestRunIds);
  log(`api, worker and web up, demo ingested (${elapsed()})`);

  const browser = (resources.browser = await launchBrowser());
  const context = await browser.newContext({ baseURL: resources.stack.webUrl, viewport: DESKTOP_VIEWPORT });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const imageId = await openAnnotateTool(page, env, checkpointId);
  const { fileName, scene } = await leasedScene(env, imageId);
  const targets = largestWholeObjects(scene, CLICKS);
  const kinds = await labelTheProject(page, env, checkpointId, targets);
  await clickTargets(page, targets, kinds);
  await page.screenshot({ path: OUTPUT, fullPage: true });
  log(`saved ${path.relative(process.cwd(), OUTPUT)} (${elapsed()})`);

  // the last mask too is accepted now (after the picture), so all three are scored as stored
  await page.keyboard.press('Enter');
  report(scene, fileName, targets, await savedMasks(env, imageId, targets.length));
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: shutting down…`);
    void shutDown().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  console.error(`\n✖ ${(error as Error).stack ?? String(error)}`);
} finally {
  if (!interrupted) {
    await shutDown();
    log(`done in ${elapsed()}`);
  }
}
