// Export and import from the project page, in chromium, on a stack of this file's own (real api,
// worker, web, PostgreSQL, Redis): a manager exports a project's masks as COCO RLE, downloads the
// file, imports it into a second project holding the same images, and the second project's masks
// are the first's, bit for bit; the runs tables offer the download to ops; an annotator sees
// neither panel and the API refuses them.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSegmentation, uploadImage } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import { makeProject, makeUser, syntheticImageBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { launchBrowser } from './browser';
import { createOwnEnv, logInOn, startOwnStack, type OwnStack } from './own-stack';

const W = 160;
const H = 120;
const IMAGES = [
  { seed: 41, name: 'shelf.jpg', format: 'jpeg' as const },
  { seed: 42, name: 'aisle.png', format: 'png' as const },
];
const PROVENANCES = ['manual', 'prefill', 'auto'] as const;
const STAGE = { manual: 'assisted_manual', prefill: 'semi_automatic', auto: 'fully_automatic' } as const;

let env: TestEnv;
let own: OwnStack;
let browser: Browser;
let manager: MadeUser;
let annotator: MadeUser;
let ops: MadeUser;
let source: { id: string };
let target: { id: string };
/** a project the manager is no member of */
let foreign: { id: string };
let tmp: string;
/** set by the export test, read by the ones after it */
let exportRunId = '';
let exportedFile = '';

/** What must survive the round trip, per image content, in a stable order. */
async function maskSnapshot(projectId: string) {
  const masks = await env.deps.db.mask.findMany({ where: { projectId, deletedAt: null }, include: { image: { select: { contentHash: true } } } });
  return masks
    .map((m) => ({ image: m.image.contentHash, size: [m.rleHeight, m.rleWidth], counts: m.rleCounts, area: m.area, provenance: m.provenance, stage: m.stage }))
    .sort((a, b) => (a.image + a.counts < b.image + b.counts ? -1 : 1));
}

/** Discs painted in order: [cx, cy, r, value]. */
function discs(list: [number, number, number, 0 | 1][]) {
  const data = new Uint8Array(W * H);
  for (const [cx, cy, r, value] of list) {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < r * r) data[y * W + x] = value;
  }
  return { width: W, height: H, data };
}

beforeAll(async () => {
  env = await createOwnEnv();
  const { db } = env.deps;
  manager = await makeUser(db, { role: 'manager', name: 'Mira Manager' });
  annotator = await makeUser(db, { role: 'annotator', name: 'Ann Annotator' });
  ops = await makeUser(db, { role: 'ops', name: 'Oscar Ops' });
  source = await makeProject(db, { createdBy: manager, name: 'Exchange source', members: [{ user: annotator, role: 'annotator' }] });
  target = await makeProject(db, { createdBy: manager, name: 'Exchange target', members: [{ user: annotator, role: 'annotator' }] });
  foreign = await makeProject(db, { createdBy: await makeUser(db, { role: 'manager' }), name: 'Someone else\'s' });
  for (const spec of IMAGES) {
    const bytes = await syntheticImageBytes({ seed: spec.seed, width: W, height: H, format: spec.format });
    for (const project of [source, target]) await uploadImage(env.deps, manager, { projectId: project.id, fileName: spec.name, body: Readable.from([bytes]) });
  }
  own = await startOwnStack(env);
  await waitFor(async () => (await db.image.count({ where: { status: 'ready' } })) === 2 * IMAGES.length || null, 'the images to be ingested', 60_000, 250);

  // the source's masks: every synthetic instance, provenances in turn, a ring with a hole, and a deleted mask
  const images = await db.image.findMany({ where: { projectId: source.id }, orderBy: { id: 'asc' } });
  let n = 0;
  for (const [i, image] of images.entries()) {
    for (const instance of generateScene({ seed: IMAGES[i]!.seed, width: W, height: H }).instances) {
      const provenance = PROVENANCES[n++ % 3]!;
      const measured = measureSegmentation(compressRle(encodeMask(instance.mask)), image);
      await db.mask.create({ data: { ...measured, projectId: source.id, imageId: image.id, stage: STAGE[provenance], provenance, predictedIou: provenance === 'manual' ? null : 0.875 } });
    }
  }
  const ring = measureSegmentation(compressRle(encodeMask(discs([[60, 60, 30, 1], [60, 60, 14, 0]]))), images[0]!);
  await db.mask.create({ data: { ...ring, projectId: source.id, imageId: images[0]!.id, stage: 'fully_automatic', provenance: 'auto', stabilityScore: 0.9375 } });
  const gone = measureSegmentation(compressRle(encodeMask(discs([[120, 40, 12, 1]]))), images[1]!);
  await db.mask.create({ data: { ...gone, projectId: source.id, imageId: images[1]!.id, stage: 'assisted_manual', provenance: 'manual', deletedAt: new Date() } });

  tmp = await mkdtemp(path.join(tmpdir(), 'exchange-e2e-'));
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await own?.close();
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function startImport(page: Page, file: string, previousRunId: string | null): Promise<string> {
  await page.getByTestId('import-file').setInputFiles(file);
  expect(await page.getByTestId('import-format').inputValue()).toBe('coco'); // guessed from the name
  await page.getByTestId('import-start').click();
  const finished = page.locator(`[data-testid="import-run"]${previousRunId ? `:not([data-run-id="${previousRunId}"])` : ''}:is([data-status="succeeded"], [data-status="failed"])`);
  await finished.waitFor({ timeout: 30_000 });
  return (await finished.getAttribute('data-run-id'))!;
}

describe('a project manager', () => {
  let page: Page;
  beforeAll(async () => {
    page = await logInOn(browser, own.stack, manager);
  });
  afterAll(() => page?.context().close());

  it('exports the project as COCO RLE, follows the run and downloads a JSON with every live mask', async () => {
    await page.goto(`/projects/${source.id}`);
    await page.getByTestId('export-panel').waitFor();
    await page.getByTestId('export-format').selectOption('coco-rle');
    await page.getByTestId('export-include-images').uncheck();
    await page.getByTestId('export-start').click();
    const done = page.locator('[data-testid="export-run"][data-status="succeeded"]');
    await done.waitFor({ timeout: 30_000 });
    exportRunId = (await done.getAttribute('data-run-id'))!;
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: exportRunId } });
    expect([run.kind, run.createdById, run.params]).toEqual(['export', manager.id, expect.objectContaining({ format: 'coco-rle', includeImages: false })]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid="export-download"][data-run-id="${exportRunId}"]`).click()]);
    expect(download.suggestedFilename()).toMatch(/-coco-rle\.json$/);
    exportedFile = path.join(tmp, download.suggestedFilename());
    await download.saveAs(exportedFile);
    const doc = JSON.parse(await readFile(exportedFile, 'utf8')) as { images: { id: number }[]; annotations: { id: number; image_id: number; segmentation: { size: number[]; counts: string }; provenance: string }[] };
    const masks = await env.deps.db.mask.findMany({ where: { projectId: source.id, deletedAt: null }, orderBy: [{ imageId: 'asc' }, { id: 'asc' }] }); // the file's order
    expect(masks.length).toBeGreaterThan(IMAGES.length);
    expect(doc.images).toHaveLength(IMAGES.length);
    expect(doc.annotations.map((a) => [a.id, a.image_id, a.segmentation, a.provenance])).toEqual(
      masks.map((m) => [Number(m.id), m.imageId, { size: [m.rleHeight, m.rleWidth], counts: m.rleCounts }, m.provenance]),
    );
    expect(await page.getByTestId('export-summary').textContent()).toBe(`${masks.length} masks of ${IMAGES.length} images`);
  });

  it('imports the file into a project with the same images: the masks are the source\'s, bit for bit', async () => {
    expect(exportedFile).not.toBe('');
    await page.goto(`/projects/${target.id}`);
    await page.getByTestId('import-panel').waitFor();
    const runId = await startImport(page, exportedFile, null);
    const expected = await maskSnapshot(source.id);
    expect(await page.locator(`[data-testid="import-run"][data-run-id="${runId}"]`).getAttribute('data-status')).toBe('succeeded');
    expect(await page.getByTestId('import-imported').textContent()).toBe(String(expected.length));
    expect(await page.getByTestId('import-skipped').textContent()).toBe('0');
    expect(await page.getByTestId('import-failed').textContent()).toBe('0');
    expect(await page.getByTestId('import-images').textContent()).toBe(`${IMAGES.length} of ${IMAGES.length}`);
    expect(await maskSnapshot(target.id)).toEqual(expected);
    expect((await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } })).createdById).toBe(manager.id);

    // the same file again adds nothing and says so
    const again = await startImport(page, exportedFile, runId);
    expect(await page.locator(`[data-testid="import-run"][data-run-id="${again}"]`).getAttribute('data-status')).toBe('succeeded');
    expect(await page.getByTestId('import-imported').textContent()).toBe('0');
    expect(await page.getByTestId('import-skipped').textContent()).toBe(String(expected.length));
    expect(await maskSnapshot(target.id)).toEqual(expected);
  });

  it('sees why a file could not be imported, with the first problems', async () => {
    const ghost = path.join(tmp, 'ghost-coco.json');
    await writeFile(ghost, JSON.stringify({ images: [{ id: 7, file_name: 'ghost.jpg', width: W, height: H }], annotations: [{ id: 1, image_id: 7, segmentation: [[0, 0, 5, 0, 5, 5]] }] }));
    const before = await env.deps.db.mask.count({ where: { projectId: target.id } });
    const previous = await page.getByTestId('import-run').getAttribute('data-run-id');
    const runId = await startImport(page, ghost, previous);
    expect(await page.locator(`[data-testid="import-run"][data-run-id="${runId}"]`).getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('import-error').textContent()).toMatch(/nothing was imported/);
    expect(await page.getByTestId('import-failed').textContent()).toBe('1');
    expect(await page.getByTestId('import-errors').textContent()).toMatch(/"ghost\.jpg" matches no image of the project/);
    expect(await env.deps.db.mask.count({ where: { projectId: target.id } })).toBe(before);
  });

  it('may not start the other run kinds, nor export a project they do not manage', async () => {
    const autogen = await page.request.post('/trpc/runs.start', { data: { kind: 'autogen', projectId: source.id } });
    expect(autogen.status()).toBe(403);
    const elsewhere = await page.request.post('/trpc/runs.start', { data: { kind: 'export', projectId: foreign.id, format: 'sa1b' } });
    expect(elsewhere.status()).toBe(403);
    expect(await env.deps.db.run.count({ where: { createdById: manager.id, kind: { in: ['autogen', 'export'] } } })).toBe(1);
  });
});

describe('ops', () => {
  it('finds the Download link on the finished export in the Runs page and in the console', async () => {
    expect(exportRunId).not.toBe('');
    const page = await logInOn(browser, own.stack, ops);
    await page.goto('/runs');
    const link = page.locator(`[data-testid="run-row"][data-run-id="${exportRunId}"] [data-testid="run-download"]`);
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/api/runs/${exportRunId}/artifact`);
    // no other row offers one: the imports are not downloads
    expect(await page.getByTestId('run-download').count()).toBe(1);
    const res = await page.request.get((await link.getAttribute('href'))!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toMatch(/^attachment; filename=".*-coco-rle\.json"$/);
    expect((await res.body()).equals(await readFile(exportedFile))).toBe(true);

    await page.goto('/ops');
    await page.locator(`[data-testid="console-runs"] [data-run-id="${exportRunId}"] [data-testid="run-download"]`).waitFor();
    await page.context().close();
  });
});

describe('an annotator of the project', () => {
  it('sees neither panel, and the API refuses export, download and import', async () => {
    expect(exportRunId).not.toBe('');
    const page = await logInOn(browser, own.stack, annotator);
    await page.goto(`/projects/${source.id}`);
    await page.getByTestId('image-tile').first().waitFor();
    expect(await page.getByTestId('export-panel').count()).toBe(0);
    expect(await page.getByTestId('import-panel').count()).toBe(0);

    const start = await page.request.post('/trpc/runs.start', { data: { kind: 'export', projectId: source.id, format: 'coco-rle' } });
    expect(start.status()).toBe(403);
    const download = await page.request.get(`/api/runs/${exportRunId}/artifact`);
    expect(download.status()).toBe(403);
    expect((await download.json()).error.message).toMatch(/^exporting annotations needs the manager role in this project/);
    const before = await env.deps.db.mask.count({ where: { projectId: target.id } });
    const upload = await page.request.post(`/api/projects/${target.id}/import?format=coco`, { data: await readFile(exportedFile), headers: { 'content-type': 'application/octet-stream' } });
    expect(upload.status()).toBe(403);
    expect(await env.deps.db.mask.count({ where: { projectId: target.id } })).toBe(before);
    expect(await env.deps.db.run.count({ where: { createdById: annotator.id } })).toBe(0);
    await page.context().close();
  });
});
