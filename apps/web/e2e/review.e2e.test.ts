// Review and the image viewer end to end, in chromium, on a stack of this file's own (real api,
// worker, web; the contract checkpoint for autogen): a manager rejects an annotator's image with a
// reason — the annotator finds it first in their queue with that reason — and accepts another
// with one mask rejected; an autogen run on a stage-1 image lands in the review queue and never in
// the annotators' queue; the manager opens an image from the grid and filters, hides and outlines
// its masks, and steps to the next image. Screenshots: review.png, viewer.png.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunInputSchema } from '@dataengine/contracts';
import { createLabel, recordMaskCounters, registerCheckpoint, requestNextTask, saveMask, setReviewSettings, startRun, submitTask, uploadImage, type Actor } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { writeContractBundle } from '@dataengine/segment/testing';
import { makeProject, makeUser, syntheticImageBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { launchBrowser, screenshot } from './browser';
import { createOwnEnv, logInOn, startOwnStack, type OwnStack } from './own-stack';

const SIZE = { width: 480, height: 360 };
const IMAGES = 6;
const REASON = 'the boat at the pier has no mask';

let env: TestEnv;
let own: OwnStack;
let browser: Browser;
let manager: MadeUser;
let ana: MadeUser;
let ops: MadeUser;
let projectId: string;
let imageIds: number[] = [];
let tmp: string;

function rect(x0: number, y0: number, w: number, h: number) {
  const data = new Uint8Array(SIZE.width * SIZE.height);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * SIZE.width + x] = 1;
  return compressRle(encodeMask({ ...SIZE, data }));
}

/** Masks the annotator saves on an image (outlines of boxes, apart). */
async function drawMasks(who: Actor, imageId: number, n: number, labelId?: string) {
  for (let k = 0; k < n; k++) await saveMask(env.deps, who, { imageId, segmentation: rect(30 + k * 110, 60 + (k % 2) * 90, 80 - k * 8, 70), activeMs: 9_000, clicks: 3, ...(labelId && k === 0 ? { labelId } : {}) });
}

/** Ana leases her next image, draws on it and submits it. */
async function annotateNext(n: number) {
  const task = await requestNextTask(env.deps, ana, { projectId });
  if (!task) return null;
  if ((await env.deps.db.mask.count({ where: { imageId: task.image.id, deletedAt: null } })) === 0) await drawMasks(ana, task.image.id, n);
  await submitTask(env.deps, ana, { taskId: task.id, activeMs: 45_000 });
  return task.image.id;
}

const reviewOf = (imageId: number) => env.deps.db.review.findFirst({ where: { imageId }, orderBy: { id: 'desc' } });
const painted = (page: Page) =>
  page.getByTestId('viewer-fill').evaluate((canvas) => {
    const c = canvas as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
    return n;
  });
const drawn = async (page: Page) => Number(await page.getByTestId('viewer-drawn-count').getAttribute('data-drawn'));

beforeAll(async () => {
  env = await createOwnEnv();
  const { db } = env.deps;
  manager = await makeUser(db, { role: 'manager', name: 'Maya Manager' });
  ana = await makeUser(db, { role: 'annotator', name: 'Ana Ruiz' });
  ops = await makeUser(db, { role: 'ops', name: 'Oscar Ops' });
  tmp = await mkdtemp(path.join(tmpdir(), 'review-e2e-'));
  await registerCheckpoint(env.deps, ops, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'contract', activate: true });
  projectId = (await makeProject(db, { createdBy: manager, name: 'Harbour review', members: [{ user: ana, role: 'annotator' }] })).id;
  for (let i = 0; i < IMAGES; i++) {
    const { image } = await uploadImage(env.deps, manager, { projectId, fileName: `pier-${i + 1}.png`, body: Readable.from([await syntheticImageBytes({ seed: 60 + i, ...SIZE, format: 'png' })]) });
    imageIds.push(image.id);
  }
  own = await startOwnStack(env);
  await waitFor(async () => (await db.task.count({ where: { projectId } })) === IMAGES || null, 'the images to be ingested into tasks', 60_000, 250);
  await setReviewSettings(env.deps, manager, { projectId, reviewSampleRate: 1 });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await own?.close();
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the review flow', () => {
  let first: number;
  let second: number;

  beforeAll(async () => {
    first = (await annotateNext(4))!;
    second = (await annotateNext(2))!;
  });

  it('a manager rejects an image with a reason from the review queue, and accepts another with one mask rejected', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${projectId}`);
    await expect.poll(() => page.getByTestId('review-link').textContent()).toBe('Review (2)');
    await page.getByTestId('review-link').click();
    await page.waitForURL(`**/projects/${projectId}/review`);
    const decision = page.getByTestId('review-decision');
    await decision.waitFor();
    expect(Number(await page.getByTestId('image-viewer').getAttribute('data-image-id'))).toBe(first);
    expect(await decision.textContent()).toContain('Submitted by Ana Ruiz');
    await expect.poll(() => drawn(page)).toBe(4);
    await expect.poll(() => painted(page)).toBeGreaterThan(1000);
    await page.getByTestId('review-reason').fill(REASON);
    await screenshot(page, 'review');

    await page.getByTestId('review-reject').click();
    await expect.poll(async () => Number(await page.getByTestId('image-viewer').getAttribute('data-image-id'))).toBe(second);
    await expect.poll(() => page.getByTestId('review-pending-count').getAttribute('data-pending')).toBe('1');
    const rejected = await reviewOf(first);
    expect(rejected).toMatchObject({ status: 'rejected', reason: REASON, reviewerId: manager.id });
    expect(await env.deps.db.task.findFirstOrThrow({ where: { imageId: first } })).toMatchObject({ status: 'open', reservedForId: ana.id });

    const rows = page.getByTestId('viewer-mask-row');
    await expect.poll(() => rows.count()).toBe(2);
    const rejectedMaskId = await rows.first().getAttribute('data-mask-id');
    await rows.first().getByTestId('viewer-mask-reject').check();
    expect(await page.getByTestId('review-accept').textContent()).toBe('Accept 1 masks, reject 1');
    await page.getByTestId('review-accept').click();
    await page.getByTestId('review-all-done').waitFor();
    expect(await reviewOf(second)).toMatchObject({ status: 'accepted', masksAccepted: 1, masksRejected: 1, reviewerId: manager.id });
    expect((await env.deps.db.mask.findUniqueOrThrow({ where: { id: BigInt(rejectedMaskId!) } })).deletedAt).not.toBeNull();

    await page.getByTestId('review-tab-decided').click();
    await expect.poll(() => page.getByTestId('review-item').count()).toBe(2);
    await page.context().close();
  });

  it('the annotator gets the rejected image first in their queue, with the reviewer\'s reason', async () => {
    const page = await logInOn(browser, own.stack, ana);
    await page.goto(`/projects/${projectId}/annotate`);
    await page.getByTestId('next-image').click();
    const notice = page.getByTestId('review-returned');
    await notice.waitFor();
    expect(await page.getByTestId('review-returned-reason').textContent()).toBe(REASON);
    expect(await notice.textContent()).toContain('Maya Manager');
    expect(await page.getByTestId('task-image').textContent()).toContain(`pier-${imageIds.indexOf(first) + 1}.png`);
    await page.context().close();
  });
});

describe('autogen output', () => {
  let target: number;

  it('goes to the review queue, not to the annotators\' stage-1 queue', async () => {
    target = imageIds[2]!;
    await drawMasks(ana, target, 2);
    const input = startRunInputSchema.parse({ kind: 'autogen', projectId, imageIds: [target], preset: 'sam-default', overrides: { pointsPerSide: 4, predIouThresh: 0.5, stabilityScoreThresh: 0.5 }, allowEarlierStages: true });
    const run = await startRun(env.deps, ops, input);
    await waitFor(async () => {
      const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
      if (r.status === 'failed' || r.status === 'cancelled') throw new Error(`the autogen run ended ${r.status}: ${r.error}`);
      return r.status === 'succeeded' || null;
    }, 'the autogen run', 90_000, 250);
    const auto = await env.deps.db.mask.count({ where: { imageId: target, provenance: 'auto', deletedAt: null } });
    expect(auto).toBeGreaterThan(0);
    expect(await reviewOf(target)).toMatchObject({ status: 'pending', source: 'autogen', runId: run.id });

    // the annotator works through the queue: every image but the one under review
    const leased: number[] = [];
    for (let i = 0; i < IMAGES; i++) {
      const id = await annotateNext(2);
      if (id === null) break;
      leased.push(id);
    }
    expect(leased).not.toContain(target);
    expect(await env.deps.db.task.findFirstOrThrow({ where: { imageId: target } })).toMatchObject({ status: 'open' });
    const page = await logInOn(browser, own.stack, ana);
    await page.goto(`/projects/${projectId}/annotate`);
    await page.getByTestId('next-image').click();
    await page.getByTestId('queue-empty').waitFor();
    await page.context().close();

    const manage = await logInOn(browser, own.stack, manager);
    await manage.goto(`/projects/${projectId}/review`);
    const item = manage.locator(`[data-testid="review-item"][data-image-id="${target}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('autogen');
    await item.click();
    await expect.poll(async () => Number(await manage.getByTestId('image-viewer').getAttribute('data-image-id'))).toBe(target);
    expect(await manage.getByTestId('review-decision').textContent()).toContain('Machine output');
    expect(await manage.getByTestId('review-reject').textContent()).toContain('delete these automatic masks');
    await manage.context().close();
  });
});

describe('the image viewer', () => {
  let target: number;
  let counts: { manual: number; prefill: number; auto: number };

  beforeAll(async () => {
    target = imageIds[2]!;
    // a pre-filled mask as a prefill run stores it, and one labelled mask
    const checkpointId = (await env.deps.db.checkpoint.findFirstOrThrow({ where: { status: 'active' } })).id;
    await env.deps.db.$transaction(async (tx) => {
      const rle = rect(380, 250, 60, 60);
      await tx.mask.create({ data: { projectId, imageId: target, stage: 'semi_automatic', provenance: 'prefill', rleCounts: rle.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: 380, bboxY: 250, bboxW: 59, bboxH: 59, area: 3600, checkpointId, predictedIou: 0.93, stabilityScore: 0.96 } });
      await recordMaskCounters(tx, { projectId, stage: 'semi_automatic', provenance: 'prefill', authorId: null, checkpointId, day: new Date() }, { masks: 1, activeMs: 0, clicks: 0 });
    });
    const boat = await createLabel(env.deps, manager, { projectId, name: 'boat' });
    await drawMasks(ana, target, 1, boat.id);
    const rows = await env.deps.db.mask.groupBy({ by: ['provenance'], where: { imageId: target, deletedAt: null }, _count: { _all: true } });
    counts = { manual: 0, prefill: 0, auto: 0 };
    for (const r of rows) counts[r.provenance] = r._count._all;
  });

  it('opens from the project grid, whose tiles show stage, status, review and mask count', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${projectId}`);
    const tile = page.locator(`[data-testid="image-tile"][data-file-name="pier-3.png"]`);
    const work = tile.getByTestId('tile-work');
    await work.waitFor();
    const total = counts.manual + counts.prefill + counts.auto;
    expect(await work.getAttribute('data-masks')).toBe(String(total));
    expect(await work.getAttribute('data-stage')).toBe('assisted_manual');
    expect(await work.getAttribute('data-task-status')).toBe('open');
    expect(await work.getAttribute('data-review')).toBe('pending');
    expect(await work.textContent()).toContain(`${total} masks`);
    await tile.click();
    await page.waitForURL(`**/projects/${projectId}/images/${target}`);
    await expect.poll(() => drawn(page)).toBe(total);
    await page.context().close();
  });

  it('filters by origin and label, hides masks one by one and all at once, and draws outlines only', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${projectId}/images/${target}`);
    const total = counts.manual + counts.prefill + counts.auto;
    await expect.poll(() => drawn(page)).toBe(total);
    await expect.poll(() => painted(page)).toBeGreaterThan(0);
    // the masks' origins, authors and the label are listed
    const origins = await page.getByTestId('viewer-mask-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-origin')));
    expect(origins.filter((o) => o === 'auto')).toHaveLength(counts.auto);
    expect(origins.filter((o) => o === 'prefill')).toHaveLength(1);
    expect(await page.getByTestId('viewer-mask-table').textContent()).toContain('Ana Ruiz');
    expect(await page.getByTestId('viewer-mask-label').allTextContents()).toContain('boat');
    await screenshot(page, 'viewer');

    const all = await painted(page);
    await page.getByTestId('filter-origin-auto').uncheck();
    await expect.poll(() => drawn(page)).toBe(counts.manual + counts.prefill);
    await expect.poll(() => painted(page)).toBeLessThan(all);
    await page.getByTestId('filter-label').selectOption({ label: 'boat (1)' });
    await expect.poll(() => drawn(page)).toBe(1);
    await page.getByTestId('viewer-reset-filters').click();
    await expect.poll(() => drawn(page)).toBe(total);

    // one mask hidden by hand, then every mask, then all shown again
    const firstRow = page.getByTestId('viewer-mask-row').first();
    await firstRow.getByTestId('viewer-mask-toggle').uncheck();
    await expect.poll(() => drawn(page)).toBe(total - 1);
    expect(await firstRow.getAttribute('data-visible')).toBe('false');
    await page.getByTestId('viewer-hide-all').click();
    await expect.poll(() => drawn(page)).toBe(0);
    await expect.poll(() => painted(page)).toBe(0);
    await page.getByTestId('viewer-show-all').click();
    await expect.poll(() => drawn(page)).toBe(total);

    // outline only: the fill layer is not shown, the outlines are
    await page.getByTestId('viewer-outline-only').check();
    expect(await page.getByTestId('viewer-canvas').getAttribute('data-outline-only')).toBe('true');
    expect(await page.getByTestId('viewer-fill').evaluate((c) => getComputedStyle(c).opacity)).toBe('0');
    await page.getByTestId('viewer-outline-only').uncheck();
    await page.getByTestId('viewer-opacity').evaluate((input) => {
      const el = input as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, '0.8');
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(() => page.getByTestId('viewer-fill').evaluate((c) => getComputedStyle(c).opacity)).toBe('0.8');

    // the next image of the grid
    await page.getByTestId('viewer-next').click();
    await page.waitForURL(`**/projects/${projectId}/images/${imageIds[3]}`);
    expect(await page.getByTestId('viewer-file-name').textContent()).toBe('pier-4.png');
    await page.context().close();
  });

  it('is open to ops too, who get no review queue', async () => {
    const page = await logInOn(browser, own.stack, ops);
    await page.goto(`/projects/${projectId}`);
    await page.getByTestId('image-tile').first().waitFor();
    expect(await page.getByTestId('review-link').count()).toBe(0);
    await page.goto(`/projects/${projectId}/images/${target}`);
    await expect.poll(() => drawn(page)).toBeGreaterThan(0);
    await page.goto(`/projects/${projectId}/review`);
    await page.getByTestId('forbidden').waitFor();
    await page.context().close();
  });
});
