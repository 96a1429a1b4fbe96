// The annotator's way through the queue and the run forms, in chromium at 1280×800 on a stack of
// this file's own with the built-in model (a refinement click feeds the previous mask back, so a
// draft decoded again from its points alone would differ): a reloaded draft shows the same mask
// pixel for pixel; skip with a reason (the image never comes back), "no objects here?" before
// submitting an image without masks, previous image; hiding and bulk-deleting automatic masks; a
// run started on a filtered selection (the grid's picked tiles) with the count shown, autogen kept
// off stage-1 images unless confirmed, and a run that kept no masks saying why.
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCheckpoint, uploadImage } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import { makeProject, makeUser, REPO_ROOT, syntheticImageBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { launchBrowser } from './browser';
import { createOwnEnv, logInOn, startOwnStack, type OwnStack } from './own-stack';

const W = 320;
const H = 240;
const SEEDS = [31, 32, 33];
const SHOTS = process.env['E2E_SHOTS_DIR'];

let env: TestEnv;
let own: OwnStack;
let browser: Browser;
let ops: MadeUser;
let annotator: MadeUser;
let manager: MadeUser;
let queueProject: string;
let stage3Project: string;
let gridProject: string;
const imageIds: number[] = [];
/** automatic masks on the third image: [predicted IoU, disc radius] */
const AUTO = Array.from({ length: 24 }, (_, i) => ({ iou: 0.3 + (i % 8) * 0.09, r: 4 + (i % 3) * 9, x: 30 + (i % 6) * 50, y: 40 + Math.floor(i / 6) * 50 }));

function disc(cx: number, cy: number, r: number) {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) data[y * W + x] = 1;
  return { rle: compressRle(encodeMask({ width: W, height: H, data })), area: data.reduce((s, v) => s + v, 0) };
}

async function upload(projectId: string, seed: number, uploader: MadeUser): Promise<number> {
  const { image } = await uploadImage(env.deps, uploader, { projectId, fileName: `scene-${seed}.png`, split: 'train', body: Readable.from([await syntheticImageBytes({ seed, width: W, height: H, format: 'png' })]) });
  return image.id;
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  env = await createOwnEnv();
  const { db } = env.deps;
  ops = await makeUser(db, { role: 'ops', name: 'Olga Ops' });
  annotator = await makeUser(db, { role: 'annotator', name: 'Ana Annotator' });
  manager = await makeUser(db, { role: 'manager', name: 'Mia Manager' });
  await registerCheckpoint(env.deps, ops, { dir: path.join(REPO_ROOT, 'models/default'), activate: true });
  queueProject = (await makeProject(db, { createdBy: manager, name: 'Queue project', members: [{ user: annotator, role: 'annotator' }] })).id;
  for (const seed of SEEDS) imageIds.push(await upload(queueProject, seed, manager));
  stage3Project = (await makeProject(db, { createdBy: manager, name: 'Stage three' })).id;
  await db.project.update({ where: { id: stage3Project }, data: { stage: 'fully_automatic' } });
  for (const seed of [41, 42]) await upload(stage3Project, seed, manager);
  gridProject = (await makeProject(db, { createdBy: manager, name: 'Grid' })).id;
  for (let seed = 50; seed < 57; seed++) await upload(gridProject, seed, manager);
  own = await startOwnStack(env);
  await waitFor(async () => (await db.image.count({ where: { status: 'ready' } })) === 12 || null, 'the images to be ingested', 60_000, 250);
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await own?.close();
  await env?.close();
});

/** An autogen run put automatic masks on an image while it was still in the stage-1 queue. */
async function putAutomaticMasks(imageId: number): Promise<void> {
  await env.deps.db.mask.createMany({
    data: AUTO.map((a) => {
      const { rle, area } = disc(a.x, a.y, a.r);
      return { projectId: queueProject, imageId, stage: 'fully_automatic' as const, provenance: 'auto' as const, rleCounts: rle.counts, rleHeight: H, rleWidth: W, bboxX: a.x - a.r, bboxY: a.y - a.r, bboxW: 2 * a.r, bboxH: 2 * a.r, area, predictedIou: a.iou, stabilityScore: 0.9 };
    }),
  });
}

describe('the annotator', () => {
  let page: Page;
  /** the images in the order the queue gave them */
  const seen: number[] = [];
  const workspace = () => page.getByTestId('annotate-workspace');
  const shownImage = async () => Number(await workspace().getAttribute('data-image-id'));
  const maskState = async () => {
    const el = page.getByTestId('current-mask-area');
    return { area: Number(await el.getAttribute('data-area')), rle: (await el.getAttribute('data-rle')) ?? '' };
  };
  async function ready(): Promise<void> {
    await workspace().waitFor();
    await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('embedding-loading').waitFor({ state: 'detached', timeout: 90_000 });
  }
  async function clickImage(x: number, y: number): Promise<void> {
    const canvas = page.getByTestId('annotate-canvas');
    const box = (await canvas.boundingBox())!;
    const [scale, ox, oy] = await canvas.evaluate((c) => [Number(c.dataset['scale']), Number(c.dataset['offsetX']), Number(c.dataset['offsetY'])]);
    await page.mouse.click(box.x + ox! + x * scale!, box.y + oy! + y * scale!);
    await page.locator('[data-testid="current-mask-area"][data-pending="false"]').waitFor();
  }
  const task = (imageId: number) => env.deps.db.task.findFirstOrThrow({ where: { imageId } });

  beforeAll(async () => {
    page = await logInOn(browser, own.stack, annotator);
    await page.goto(`/projects/${queueProject}/annotate`);
    await page.getByTestId('next-image').click();
    await ready();
  }, 180_000);

  it('finds after a reload exactly the mask that was on screen, pixel for pixel (not its points decoded again)', async () => {
    seen.push(await shownImage());
    // two clicks inside the largest object: the second refines the first one's mask
    const object = [...generateScene({ seed: SEEDS[imageIds.indexOf(seen[0]!)]!, width: W, height: H }).instances].sort((a, b) => b.area - a.area)[0]!;
    const inside: [number, number][] = [];
    object.mask.data.forEach((v, i) => v && inside.push([i % W, Math.floor(i / W)]));
    const [a, b] = [inside[Math.floor(inside.length * 0.5)]!, inside[Math.floor(inside.length * 0.2)]!];
    await clickImage(a[0] + 0.5, a[1] + 0.5);
    await clickImage(b[0] + 0.5, b[1] + 0.5);
    const before = await maskState();
    expect(before.area).toBeGreaterThan(0);
    expect(before.rle).not.toBe('');
    await page.reload();
    await ready();
    expect(await shownImage()).toBe(seen[0]);
    await expect.poll(async () => (await maskState()).rle, { timeout: 20_000 }).toBe(before.rle);
    expect((await maskState()).area).toBe(before.area);
    // and that mask is what gets saved
    await page.keyboard.press('Enter');
    await expect.poll(() => env.deps.db.mask.count({ where: { imageId: seen[0]!, provenance: 'manual' } })).toBe(1);
    const saved = await env.deps.db.mask.findFirstOrThrow({ where: { imageId: seen[0]!, provenance: 'manual' } });
    expect(saved.area).toBe(before.area);
  });

  it('skips an image with a reason: the next one opens, the skip is recorded, and the image never comes back to them', async () => {
    await page.keyboard.press('x');
    const dialog = page.getByTestId('skip-dialog');
    await dialog.waitFor();
    await shot(page, 'skip-dialog');
    await page.getByTestId('skip-reason-3').check();
    await page.getByTestId('skip-other').fill('two objects overlap so much I cannot separate them');
    await page.getByTestId('skip-dialog-confirm').click();
    await expect.poll(shownImage).not.toBe(seen[0]);
    seen.push(await shownImage());
    const skip = await env.deps.db.taskSkip.findFirstOrThrow({ where: { userId: annotator.id } });
    expect(skip.reason).toBe('two objects overlap so much I cannot separate them');
    expect((await task(seen[0]!)).status).toBe('open');
  });

  it('asks "no objects here?" once before submitting an image without masks', async () => {
    await ready();
    await page.keyboard.press('s');
    await page.getByTestId('confirm-empty').waitFor();
    expect(await page.getByTestId('confirm-empty').textContent()).toContain('No objects here?');
    await shot(page, 'confirm-empty');
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-empty').waitFor({ state: 'detached' });
    expect((await task(seen[1]!)).status).toBe('leased');
    await page.getByTestId('submit-image').click();
    await page.getByTestId('confirm-empty-confirm').click();
    await expect.poll(shownImage).not.toBe(seen[1]);
    seen.push(await shownImage());
    expect(seen[2]).not.toBe(seen[0]);
    expect((await task(seen[1]!)).status).toBe('submitted');
  });

  it('goes back to the image submitted last (Shift+P), and on from it again', async () => {
    await ready();
    await page.keyboard.press('Shift+P');
    await expect.poll(shownImage).toBe(seen[1]);
    expect((await task(seen[1]!)).status).toBe('leased');
    await ready();
    await page.getByTestId('submit-image').click();
    await page.getByTestId('confirm-empty-confirm').click();
    await expect.poll(shownImage).toBe(seen[2]);
  });

  it('hides the automatic masks and deletes them by filter, showing the count before deleting', async () => {
    await putAutomaticMasks(seen[2]!);
    await page.reload();
    await ready();
    const rows = page.getByTestId('mask-row');
    await expect.poll(() => rows.count()).toBe(AUTO.length);
    await page.getByTestId('outline-only').check();
    await shot(page, 'auto-masks-outlines');
    await page.getByTestId('outline-only').uncheck();
    await page.getByTestId('hide-auto').check();
    await expect.poll(() => rows.count()).toBe(0);
    expect(await page.getByTestId('hidden-count').textContent()).toBe(`${AUTO.length} automatic masks hidden`);
    await page.getByTestId('hide-auto').uncheck();
    await expect.poll(() => rows.count()).toBe(AUTO.length);

    const lowScore = AUTO.filter((a) => a.iou < 0.5).length;
    await page.getByTestId('bulk-score').fill('0.5');
    const button = page.getByTestId('bulk-delete-button');
    await expect.poll(() => button.getAttribute('data-count')).toBe(String(lowScore));
    expect(await button.textContent()).toBe(`Delete ${lowScore}…`);
    await button.click();
    expect(await page.getByTestId('bulk-delete-dialog').textContent()).toContain(`Delete ${lowScore} masks?`);
    await page.getByTestId('bulk-delete-dialog-cancel').click(); // nothing happens without the confirmation
    expect(await env.deps.db.mask.count({ where: { imageId: seen[2]!, deletedAt: null } })).toBe(AUTO.length);
    await button.click();
    await page.getByTestId('bulk-delete-dialog-confirm').click();
    await expect.poll(() => env.deps.db.mask.count({ where: { imageId: seen[2]!, deletedAt: null } }), { timeout: 20_000 }).toBe(AUTO.length - lowScore);
    expect(await env.deps.db.mask.count({ where: { imageId: seen[2]!, deletedAt: { not: null }, predictedIou: { gte: 0.5 } } })).toBe(0);

    // by area: the smallest discs (radius 4) among the rest
    await page.getByTestId('bulk-score').fill('');
    await page.getByTestId('bulk-area').fill('100');
    const small = AUTO.filter((a) => a.iou >= 0.5 && disc(a.x, a.y, a.r).area < 100).length;
    await expect.poll(() => button.getAttribute('data-count')).toBe(String(small));
    await button.click();
    await page.getByTestId('bulk-delete-dialog-confirm').click();
    await expect.poll(() => env.deps.db.mask.count({ where: { imageId: seen[2]!, deletedAt: null } }), { timeout: 20_000 }).toBe(AUTO.length - lowScore - small);
  });

  it('submits an image with masks without a question, and the skipped image does not come back', async () => {
    await page.keyboard.press('s');
    await page.getByTestId('queue-empty').waitFor();
    expect(await page.getByTestId('confirm-empty').count()).toBe(0);
    expect((await task(seen[2]!)).status).toBe('submitted');
    expect((await task(seen[0]!)).status).toBe('open'); // still waiting, for someone else
  });

  it('shows every shortcut in the help overlay, unclipped at 1280×800', async () => {
    await page.getByTestId('previous-image').click();
    await ready();
    await page.keyboard.press('?');
    const card = page.locator('.help-card');
    await card.waitFor();
    await shot(page, 'help-overlay');
    const box = (await card.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    const scroll = await card.evaluate((el) => el.scrollHeight - el.clientHeight);
    expect(scroll).toBeLessThanOrEqual(1); // everything fits: nothing to scroll to
    expect(await card.textContent()).toContain('Shift+P');
    await page.keyboard.press('?');
  });
});

describe('ops starting runs', () => {
  let page: Page;
  const row = (runId: string) => page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);

  beforeAll(async () => {
    page = await logInOn(browser, own.stack, ops);
  });

  it('picks tiles in the grid and starts a run on them, the count shown before starting', async () => {
    await page.goto(`/projects/${stage3Project}`);
    await page.getByTestId('image-tile').first().waitFor();
    await shot(page, 'project-grid');
    await page.getByTestId('grid-select').click();
    await page.getByTestId('image-tile').first().click();
    await expect.poll(() => page.getByTestId('selection-bar').getAttribute('data-count')).toBe('1');
    await page.getByTestId('use-in-run').click();
    await page.waitForURL('**/ops?**');
    await page.getByTestId('run-kind-export').click();
    await expect.poll(() => page.getByTestId('select-saved').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('selection-count').getAttribute('data-count')).toBe('1');
    expect(await page.getByTestId('selection-count').textContent()).toBe('1 image selected');
    await page.getByTestId('start-run-submit').click();
    const result = page.getByTestId('start-run-result');
    await result.waitFor();
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: (await result.getAttribute('data-run-id'))! } });
    const picked = await env.deps.db.image.findFirstOrThrow({ where: { projectId: stage3Project }, orderBy: { id: 'desc' } });
    expect((run.params as { imageIds?: number[] }).imageIds).toHaveLength(1);
    expect([picked.id, picked.id - 1]).toContain((run.params as { imageIds: number[] }).imageIds[0]);
    // the notice belongs to its tab
    await page.getByTestId('run-kind-retrain').click();
    expect(await page.getByTestId('start-run-result').count()).toBe(0);
  });

  it('keeps autogen off stage-1 images unless confirmed', async () => {
    await page.getByTestId('run-kind-autogen').click();
    await page.getByTestId('run-project').selectOption({ label: 'Queue project' });
    await page.getByTestId('select-stage').selectOption('');
    await expect.poll(() => page.getByTestId('selection-count').getAttribute('data-count')).toBe('3');
    await page.getByTestId('confirm-earlier').waitFor();
    const before = await env.deps.db.run.count({ where: { kind: 'autogen' } });
    await page.getByTestId('start-run-submit').click();
    await page.getByTestId('start-run-error').waitFor();
    expect(await page.getByTestId('start-run-error').textContent()).toMatch(/3 of the 3 selected images are stage-1 or stage-2 images/);
    expect(await env.deps.db.run.count({ where: { kind: 'autogen' } })).toBe(before);
  });

  it('says why an autogen run kept no masks', async () => {
    await page.getByTestId('run-project').selectOption({ label: 'Stage three' });
    await page.getByTestId('select-stage').selectOption('fully_automatic');
    await page.getByTestId('select-saved').uncheck();
    await expect.poll(() => page.getByTestId('selection-count').getAttribute('data-count')).toBe('2');
    await page.getByTestId('autogen-overrides').fill('{"pointsPerSide": 4, "predIouThresh": 1}');
    await page.getByTestId('start-run-submit').click();
    const result = page.getByTestId('start-run-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('autogen run over 2 items');
    const runId = (await result.getAttribute('data-run-id'))!;
    await expect.poll(() => row(runId).getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('succeeded');
    await expect.poll(() => row(runId).getByTestId('run-summary').textContent()).toBe('0 masks kept: predicted IoU below 1 on every candidate — lower the thresholds (predIouThresh, stabilityScoreThresh) or use a better checkpoint.');
    await shot(page, 'runs-zero-masks');
    // the run's date stays on one line
    const lines = await row(runId).getByTestId('run-created').evaluate((span) => span.getClientRects().length);
    expect(lines).toBe(1);
  }, 150_000);
});

describe('a manager', () => {
  it('sees the project grid fill its column at 1280×800: no empty band at the right', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${gridProject}`);
    await expect.poll(() => page.getByTestId('image-tile').count()).toBe(7);
    await shot(page, 'grid-7');
    const grid = (await page.getByTestId('image-grid').boundingBox())!;
    const tiles = await page.getByTestId('image-tile').evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ top: r.top, right: r.right })));
    const firstRow = tiles.filter((t) => t.top === tiles[0]!.top);
    expect(firstRow.length).toBeGreaterThanOrEqual(4);
    expect(grid.x + grid.width - Math.max(...firstRow.map((t) => t.right))).toBeLessThan(2);
    await page.context().close();
  });


  it('sees the images annotators set aside by skipping, with their reasons, and puts one back in the queue', async () => {
    const { db } = env.deps;
    const task = await db.task.findFirstOrThrow({ where: { projectId: gridProject }, orderBy: { id: 'asc' }, include: { image: true } });
    const other = await makeUser(db, { role: 'annotator', name: 'Bo Annotator' });
    await db.task.update({ where: { id: task.id }, data: { status: 'skipped' } });
    await db.taskSkip.createMany({ data: [{ taskId: task.id, userId: annotator.id, reason: 'too dark to see anything' }, { taskId: task.id, userId: other.id, reason: 'Not an image for this project' }] });
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${gridProject}`);
    const item = page.locator(`[data-testid="set-aside-item"][data-task-id="${task.id}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain(task.image.fileName);
    expect(await item.textContent()).toContain('Ana Annotator: too dark to see anything');
    expect(await item.textContent()).toContain('Bo Annotator: Not an image for this project');
    await shot(page, 'set-aside');
    await item.getByTestId('set-aside-return').click();
    await page.getByTestId('set-aside-panel').waitFor({ state: 'detached' });
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('open');
    await page.context().close();
  });

  it('uploading, sees a refused file in plain words, the technical detail behind "details", and its bar red', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${stage3Project}`);
    const png = await syntheticImageBytes({ seed: 43, width: W, height: H, format: 'png' });
    await page.getByTestId('upload-input').setInputFiles([
      { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('These are my notes, not a picture') },
      { name: 'cut.png', mimeType: 'image/png', buffer: png.subarray(0, 300) },
      { name: 'good.png', mimeType: 'image/png', buffer: png },
    ]);
    const item = (name: string) => page.locator(`[data-testid="upload-item"][data-file-name="${name}"]`);
    await page.locator('[data-testid="upload-item"][data-file-name="good.png"][data-state="stored"]').waitFor();
    await item('notes.jpg').and(page.locator('[data-state="failed"]')).waitFor();
    expect(await item('notes.jpg').getByTestId('upload-message').textContent()).toBe('this file is not an image we can read; upload JPEG, PNG, WebP or TIFF');
    expect(await item('cut.png').getByTestId('upload-message').textContent()).toBe('this image is damaged or truncated (cut short); export it again from the original and upload that');
    const detail = item('notes.jpg').getByTestId('upload-detail');
    expect(await detail.locator('.mono').isVisible()).toBe(false);
    await detail.locator('summary').click();
    expect(await detail.locator('.mono').textContent()).toMatch(/^it starts with the bytes 5468657365206172/);
    expect(await item('notes.jpg').getByTestId('upload-progress').getAttribute('class')).toBe('progress-failed');
    expect(await item('good.png').getByTestId('upload-progress').getAttribute('class')).toBeNull();
    await shot(page, 'upload-refused');
    // the batch, as ops see it in the runs list: succeeded with errors, saying how many files were refused
    const runsPage = await logInOn(browser, own.stack, ops);
    await runsPage.goto('/runs');
    const batch = runsPage.locator('[data-testid="run-row"][data-kind="ingest"]').first();
    await expect.poll(() => batch.getAttribute('data-with-errors'), { timeout: 30_000 }).toBe('true');
    expect(await batch.getByTestId('run-status').textContent()).toBe('succeeded with errors');
    expect(await batch.getByTestId('run-summary').textContent()).toBe('1 of 3 images ingested; 2 files refused.');
    await shot(runsPage, 'runs-with-errors');
    await runsPage.context().close();
    // the app has a favicon
    const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
    expect(icon).toBeTruthy();
    const res = await page.request.get(icon!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('image/svg+xml');
    await page.context().close();
  }, 90_000);
});
