// Labels end to end, in chromium, on a stack of this file's own (real api, worker, web, PostgreSQL,
// Redis; the contract checkpoint draws a disc around the first click): a manager defines a label
// set on the project page, an annotator labels masks with the keys 1–9 while annotating (the tool
// remembers the last label, relabels the selected mask, draws masks in their label's colour), the
// manager exports COCO — categories and category_ids — and imports it into a project holding the
// same images: the same masks with the same labels. A label that masks carry is deleted only after
// saying where its masks go. A class-agnostic project's tool shows no picker.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCheckpoint, uploadImage } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { makeProject, makeUser, syntheticImageBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { launchBrowser, screenshot } from './browser';
import { createOwnEnv, logInOn, startOwnStack, type OwnStack } from './own-stack';

const SIZE = { width: 480, height: 360 };
/** Three clicks far apart (the contract disc of the best candidate has a radius of about 19 px here). */
const SPOTS = [
  { x: 110, y: 110 },
  { x: 360, y: 120 },
  { x: 240, y: 260 },
];

let env: TestEnv;
let own: OwnStack;
let browser: Browser;
let manager: MadeUser;
let annotator: MadeUser;
let source: { id: string };
let target: { id: string };
let plain: { id: string };
let tmp: string;
let exportedFile = '';

const labelsOf = async (projectId: string) => (await env.deps.db.label.findMany({ where: { projectId }, orderBy: { position: 'asc' } })).map((l) => ({ name: l.name, color: l.color, position: l.position }));

/** Each live mask by image content and pixels, with its label's name. */
async function labelledMasks(projectId: string) {
  const masks = await env.deps.db.mask.findMany({ where: { projectId, deletedAt: null }, include: { image: { select: { contentHash: true } }, label: { select: { name: true } } } });
  return masks.map((m) => ({ image: m.image.contentHash, counts: m.rleCounts, label: m.label?.name ?? null })).sort((a, b) => (a.image + a.counts < b.image + b.counts ? -1 : 1));
}

beforeAll(async () => {
  env = await createOwnEnv();
  const { db } = env.deps;
  manager = await makeUser(db, { role: 'manager', name: 'Mira Manager' });
  annotator = await makeUser(db, { role: 'annotator', name: 'Ann Annotator' });
  const ops = await makeUser(db, { role: 'ops' });
  tmp = await mkdtemp(path.join(tmpdir(), 'labels-e2e-'));
  await registerCheckpoint(env.deps, ops, { dir: await writeContractBundle(path.join(tmp, 'bundle'), 'valid'), name: 'contract', activate: true });
  const members = [{ user: annotator, role: 'annotator' as const }];
  source = await makeProject(db, { createdBy: manager, name: 'Street classes', members });
  target = await makeProject(db, { createdBy: manager, name: 'Street classes copy', members });
  plain = await makeProject(db, { createdBy: manager, name: 'Class-agnostic', members });
  const bytes = await syntheticImageBytes({ seed: 7, ...SIZE });
  for (const project of [source, target, plain]) await uploadImage(env.deps, manager, { projectId: project.id, fileName: 'street.jpg', body: Readable.from([bytes]) });
  own = await startOwnStack(env);
  await waitFor(async () => (await db.image.count({ where: { status: 'ready' } })) === 3 || null, 'the images to be ingested', 60_000, 250);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await own?.close();
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('a project manager', () => {
  it('defines the label set on the project page: adds, recolours, renames and reorders', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${source.id}`);
    const panel = page.getByTestId('labels-panel');
    await panel.waitFor();
    expect(await panel.textContent()).toContain('No labels: masks are class-agnostic');
    for (const name of ['person', 'car', 'bike']) {
      await page.getByTestId('add-label-name').fill(name);
      await page.getByTestId('add-label-submit').click();
      await page.locator(`[data-testid="label-row"][data-name="${name}"]`).waitFor();
    }
    // a name the set has, in another case, is refused with the API's words
    await page.getByTestId('add-label-name').fill('Car');
    await page.getByTestId('add-label-submit').click();
    expect(await page.getByTestId('labels-error').textContent()).toMatch(/already has a label called "car"/);

    // rename bike → tree, recolour it, and move it up above car
    const bike = page.locator('[data-testid="label-row"][data-name="bike"]');
    await bike.getByTestId('label-name').fill('tree');
    await bike.getByTestId('label-name').press('Enter');
    const tree = page.locator('[data-testid="label-row"][data-name="tree"]');
    await tree.waitFor();
    await tree.getByTestId('label-color').evaluate((input, value) => {
      const el = input as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, '#2040e0');
    await expect.poll(async () => (await labelsOf(source.id)).find((l) => l.name === 'tree')?.color).toBe('#2040e0');
    await tree.getByTestId('label-up').click();
    await expect.poll(() => labelsOf(source.id)).toEqual([
      { name: 'person', color: '#e6194b', position: 0 },
      { name: 'tree', color: '#2040e0', position: 1 },
      { name: 'car', color: '#3cb44b', position: 2 },
    ]);
    // the panel shows the new order once its list is fetched again (after the database has it)
    await expect.poll(() => page.locator('[data-testid="label-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['person', 'tree', 'car']);
    await page.context().close();
  });
});

describe('an annotator', () => {
  let page: Page;
  const workspace = () => page.getByTestId('annotate-workspace');
  const imageId = async () => Number(await workspace().getAttribute('data-image-id'));
  const maskArea = async () => Number(await page.getByTestId('current-mask-area').getAttribute('data-area'));
  const liveMasks = async () => env.deps.db.mask.findMany({ where: { imageId: await imageId(), deletedAt: null }, include: { label: true }, orderBy: { id: 'asc' } });
  const activeLabel = async () => (await page.getByTestId('label-picker').getAttribute('data-active-label-id')) ?? '';
  let labelIds: Record<string, string>;

  async function screenPoint(x: number, y: number): Promise<{ x: number; y: number }> {
    const canvas = page.getByTestId('annotate-canvas');
    const box = (await canvas.boundingBox())!;
    const [scale, ox, oy] = await canvas.evaluate((c) => [Number(c.dataset['scale']), Number(c.dataset['offsetX']), Number(c.dataset['offsetY'])]);
    return { x: box.x + ox! + x * scale!, y: box.y + oy! + y * scale! };
  }
  async function canvasPixel(x: number, y: number): Promise<number[]> {
    const p = await screenPoint(x, y);
    const box = (await page.getByTestId('annotate-canvas').boundingBox())!;
    return page.getByTestId('annotate-canvas').evaluate(
      (c, at) => {
        const canvas = c as HTMLCanvasElement;
        const dpr = canvas.width / canvas.clientWidth;
        return Array.from(canvas.getContext('2d')!.getImageData(Math.round(at.x * dpr), Math.round(at.y * dpr), 1, 1).data);
      },
      { x: p.x - box.x, y: p.y - box.y },
    );
  }
  /** Clicks an object, waits for its mask and accepts it (Enter); resolves once it is stored. */
  async function annotate(spot: { x: number; y: number }): Promise<void> {
    const before = (await liveMasks()).length;
    const p = await screenPoint(spot.x, spot.y);
    await page.mouse.click(p.x, p.y);
    await page.locator('[data-testid="current-mask-area"][data-pending="false"]').waitFor();
    await expect.poll(maskArea).toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await liveMasks()).length).toBe(before + 1);
  }

  beforeAll(async () => {
    page = await logInOn(browser, own.stack, annotator);
    labelIds = Object.fromEntries((await env.deps.db.label.findMany({ where: { projectId: source.id } })).map((l) => [l.name, l.id]));
  });
  afterAll(() => page?.context().close());

  it('picks labels with the keys 1–9 while annotating; new masks carry the label picked', async () => {
    await page.goto(`/projects/${source.id}/annotate`);
    await page.getByTestId('next-image').click();
    await workspace().waitFor();
    await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor();
    await page.getByTestId('embedding-loading').waitFor({ state: 'detached', timeout: 60_000 });
    // the set in order, the first picked to begin with
    expect(await page.getByTestId('label-pick').evaluateAll((chips) => chips.map((c) => c.textContent))).toEqual(['1person', '2tree', '3car']);
    expect(await activeLabel()).toBe(labelIds['person']);

    await page.keyboard.press('3');
    expect(await activeLabel()).toBe(labelIds['car']);
    await annotate(SPOTS[0]!);
    await page.keyboard.press('1');
    await annotate(SPOTS[1]!);
    await page.keyboard.press('0'); // none
    await annotate(SPOTS[2]!);
    expect((await liveMasks()).map((m) => m.label?.name ?? null)).toEqual(['car', 'person', null]);
    // an unlabelled mask of a labelled project stands out: "no label", in grey
    await expect.poll(() => page.locator('[data-testid="mask-row"] [data-testid="mask-label"]').allTextContents()).toEqual(['car', 'person', 'no label']);

    // the help lists the label keys
    await page.keyboard.press('?');
    expect(await page.getByTestId('help-overlay').textContent()).toMatch(/1 – 9pick the label of new masks/);
    await page.keyboard.press('?');
  });

  it("changes the selected mask's label with a key (its version stays) and draws masks in their label's colour", async () => {
    const [car] = await liveMasks();
    const inside = SPOTS[0]!;
    const asCar = await canvasPixel(inside.x, inside.y);
    await page.locator(`[data-testid="mask-row"][data-mask-id="${car!.id}"]`).click();
    await page.keyboard.press('2'); // tree
    await expect.poll(async () => (await liveMasks())[0]!.label?.name).toBe('tree');
    expect((await liveMasks())[0]!.version).toBe(car!.version);
    await page.keyboard.press('Escape');
    await page.locator(`[data-testid="mask-row"][data-mask-id="${car!.id}"][data-label-id="${labelIds['tree']}"]`).waitFor();
    // car is green (#3cb44b), tree blue (#2040e0): the overlay's blue channel now leads its green one
    expect(asCar[1]!).toBeGreaterThan(asCar[2]!);
    await expect.poll(async () => {
      const [, g, b] = await canvasPixel(inside.x, inside.y);
      return b! > g!;
    }).toBe(true);
    await screenshot(page, 'labels');
  });

  it('remembers the last label picked in the project, across a reload', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    expect(await activeLabel()).toBe(labelIds['tree']);
    await page.reload();
    await page.getByTestId('annotate-page').waitFor();
    // the tool picks the held image up again by itself (or on "Next image")
    const next = page.locator('[data-testid="next-image"]:not([disabled])');
    await page.getByTestId('label-picker').or(next).first().waitFor();
    if (await next.isVisible()) await next.click();
    await page.getByTestId('label-picker').waitFor();
    expect(await activeLabel()).toBe(labelIds['tree']);
    await page.getByTestId('embedding-loading').waitFor({ state: 'detached', timeout: 60_000 });
    await page.keyboard.press('s');
    await page.getByTestId('queue-empty').waitFor();
  });

  it('sees no picker in a class-agnostic project, and the number keys do nothing there', async () => {
    await page.goto(`/projects/${plain.id}/annotate`);
    await page.getByTestId('next-image').click();
    await workspace().waitFor();
    expect(await page.getByTestId('label-picker').count()).toBe(0);
    await page.keyboard.press('1');
    expect(await page.getByTestId('annotate-notice').count()).toBe(0);
  });
});

describe('the COCO round trip', () => {
  it('exports the labels as categories and each mask\'s category_id, and imports back identically', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${source.id}`);
    await page.getByTestId('export-panel').waitFor();
    await page.getByTestId('export-format').selectOption('coco-rle');
    await page.getByTestId('export-include-images').uncheck();
    await page.getByTestId('export-start').click();
    const done = page.locator('[data-testid="export-run"][data-status="succeeded"]');
    await done.waitFor({ timeout: 30_000 });
    const runId = (await done.getAttribute('data-run-id'))!;
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid="export-download"][data-run-id="${runId}"]`).click()]);
    exportedFile = path.join(tmp, download.suggestedFilename());
    await download.saveAs(exportedFile);
    const doc = JSON.parse(await readFile(exportedFile, 'utf8')) as { categories: unknown[]; annotations: { id: number; category_id: number }[] };
    expect(doc.categories).toEqual([
      { id: 1, name: 'person', supercategory: '', color: '#e6194b' },
      { id: 2, name: 'tree', supercategory: '', color: '#2040e0' },
      { id: 3, name: 'car', supercategory: '', color: '#3cb44b' },
      { id: 4, name: 'object', supercategory: 'object' },
    ]);
    const masks = await env.deps.db.mask.findMany({ where: { projectId: source.id, deletedAt: null }, include: { label: true }, orderBy: { id: 'asc' } });
    const idOf = { person: 1, tree: 2, car: 3 } as Record<string, number>;
    expect(doc.annotations.map((a) => [a.id, a.category_id])).toEqual(masks.map((m) => [Number(m.id), m.label ? idOf[m.label.name] : 4]));

    await page.goto(`/projects/${target.id}`);
    await page.getByTestId('import-panel').waitFor();
    await page.getByTestId('import-file').setInputFiles(exportedFile);
    await page.getByTestId('import-start').click();
    await page.locator('[data-testid="import-run"][data-status="succeeded"]').waitFor({ timeout: 30_000 });
    expect(await labelsOf(target.id)).toEqual(await labelsOf(source.id));
    expect(await labelledMasks(target.id)).toEqual(await labelledMasks(source.id));
    // the target's page shows the set it received
    await page.reload();
    await page.locator('[data-testid="label-row"]').first().waitFor();
    // the panel shows the new order once its list is fetched again (after the database has it)
    await expect.poll(() => page.locator('[data-testid="label-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['person', 'tree', 'car']);
    await page.context().close();
  });
});

describe('deleting a label that masks carry', () => {
  it('asks where its masks go, and moves them there', async () => {
    const page = await logInOn(browser, own.stack, manager);
    await page.goto(`/projects/${source.id}`);
    const tree = page.locator('[data-testid="label-row"][data-name="tree"]');
    await tree.getByTestId('label-mask-count').filter({ hasText: '1 mask' }).waitFor();
    await tree.getByTestId('label-delete').click();
    const confirm = page.getByTestId('label-delete-confirm');
    expect(await confirm.textContent()).toMatch(/1 mask carries “tree”/);
    expect(await env.deps.db.label.count({ where: { projectId: source.id, name: 'tree' } })).toBe(1); // nothing gone yet
    await confirm.getByTestId('label-delete-target').selectOption({ label: 'car' });
    await confirm.getByTestId('label-delete-move').click();
    await tree.waitFor({ state: 'detached' });
    expect((await labelsOf(source.id)).map((l) => [l.name, l.position])).toEqual([
      ['person', 0],
      ['car', 1],
    ]);
    expect((await labelledMasks(source.id)).map((m) => m.label).sort()).toEqual(['car', 'person', null].sort());
    await page.context().close();
  });
});
