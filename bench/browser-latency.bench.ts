// Click → mask on screen in the annotator tool, measured inside the page (performance measures the
// tool records: pointer event → the frame with the new mask drawn), in Debian's chromium against
// the real stack (api, worker, web; PostgreSQL, Redis), 2 wasm threads under cross-origin isolation.
//   (a) the built-in default model (models/default)
//   (b) a SAM ViT-B-shaped bundle from the trainer (`export --arch sam-vit-b --random-init`),
//       promoted while the tool is open (the tool switches live)
// and "new image after a prefetch miss": embedding fetch + parse + hand-over + first decode, for
// images another annotator took just before (so the tool's prefetch of them was wasted); and the
// focus view with the default model: zoomed in at BENCH_FOCUS_VIEWS places (a third of the image
// across), the visible region cut from the image and embedded in the browser by the checkpoint's
// encoder, until the badge says the focus view is ready.
// Run: npm run bench:browser   (BENCH_CLICKS=100, BENCH_NEW_IMAGES=8, BENCH_FOCUS_VIEWS=8, BENCH_SAM_BUNDLE=DIR to reuse an export,
//      BENCH_SAM=0 to leave (b) out, BENCH_IMAGE=1500x1000)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { chromium, type Page } from 'playwright-core';
import { promoteCheckpoint, registerCheckpoint, requestNextTask, uploadImage } from '@dataengine/engine';
import { ensureFreshWebBuild } from '../apps/web/e2e/web-build';
import { CLICK_STAGES } from '../apps/web/features/annotate/latency';
import { createTestEnv, makeProject, makeUser, REPO_ROOT, startEnvStack, syntheticImageBytes, type Stack, waitFor } from '@dataengine/testing';

const CLICKS = Number(process.env['BENCH_CLICKS'] ?? 100);
const WITH_SAM = process.env['BENCH_SAM'] !== '0';
const NEW_IMAGES = Number(process.env['BENCH_NEW_IMAGES'] ?? 8);
const FOCUS_VIEWS = Number(process.env['BENCH_FOCUS_VIEWS'] ?? 8);
const [IMAGE_W, IMAGE_H] = (process.env['BENCH_IMAGE'] ?? '1500x1000').split('x').map(Number) as [number, number];

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))]!;
};
const fmt = (xs: number[]) => (xs.length === 0 ? 'not measured' : `p50 ${pct(xs, 0.5).toFixed(1)} ms · p95 ${pct(xs, 0.95).toFixed(1)} ms · min ${pct(xs, 0).toFixed(1)} ms (n=${xs.length})`);


function samShapedBundle(dir: string): string {
  if (process.env['BENCH_SAM_BUNDLE']) return process.env['BENCH_SAM_BUNDLE'];
  const out = path.join(dir, 'sam-vit-b');
  process.stdout.write('exporting the SAM ViT-B-shaped bundle (random init)…\n');
  execFileSync('/usr/bin/python3', ['-m', 'dataengine_trainer', 'export', '--arch', 'sam-vit-b', '--random-init', '--no-pytorch', '--out', out], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONPATH: path.join(REPO_ROOT, 'trainer'), OPENBLAS_NUM_THREADS: '1' },
    stdio: 'inherit',
  });
  return out;
}

async function screenPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('annotate-canvas');
  const box = (await canvas.boundingBox())!;
  const [scale, ox, oy] = await canvas.evaluate((c) => [Number(c.dataset['scale']), Number(c.dataset['offsetX']), Number(c.dataset['offsetY'])]);
  return { x: box.x + ox! + x * scale!, y: box.y + oy! + y * scale! };
}

async function toolReady(page: Page): Promise<void> {
  await page.getByTestId('annotate-workspace').waitFor();
  await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor({ timeout: 120_000 });
  await page.getByTestId('embedding-loading').waitFor({ state: 'detached', timeout: 300_000 });
}

const entries = (page: Page, name: string) => page.evaluate((n) => performance.getEntriesByName(n).map((e) => e.duration), name);

/** How long the pointer rests on the object before the click in the "aimed" runs (an annotator aiming). */
const AIM_DWELL_MS = Number(process.env['BENCH_AIM_DWELL_MS'] ?? 300);

/**
 * CLICKS × (Esc, click at a new place, wait for the mask drawn); returns click→mask and
 * worker-decode durations. `cold`: the pointer jumps there and clicks at once (the tool cannot
 * start early); `aimed`: it rests AIM_DWELL_MS on the spot first, as a hand does before a click.
 */
interface Clicks {
  toScreen: number[];
  decode: number[];
  /** click → the masks reach the page / the overlay is built / the frame that draws it starts */
  stages: number[][];
}

async function clickLatency(page: Page, width: number, height: number, mode: 'cold' | 'aimed' = 'cold'): Promise<Clicks> {
  await page.evaluate((names) => names.forEach((n) => performance.clearMeasures(n)), ['annotate:click-to-mask', 'annotate:decode', ...CLICK_STAGES]);
  for (let i = 0; i < CLICKS; i++) {
    await page.keyboard.press('Escape');
    const p = await screenPoint(page, width * (0.15 + 0.7 * ((i * 37) % 100) / 100), height * (0.15 + 0.7 * ((i * 61) % 100) / 100));
    if (mode === 'aimed') {
      await page.mouse.move(p.x, p.y);
      await page.waitForTimeout(AIM_DWELL_MS);
      await page.mouse.down();
      await page.mouse.up();
    } else {
      await page.mouse.click(p.x, p.y);
    }
    await page.waitForFunction((n) => performance.getEntriesByName('annotate:click-to-mask').length >= n, i + 1, { timeout: 30_000 });
  }
  await page.keyboard.press('Escape');
  const stages: number[][] = [];
  for (const name of CLICK_STAGES) stages.push(await entries(page, name));
  return { toScreen: await entries(page, 'annotate:click-to-mask'), decode: await entries(page, 'annotate:decode'), stages };
}

/** Zooms in at FOCUS_VIEWS places (each time from the fitted view) and returns the focus view's embedding times. */
async function focusEmbedLatency(page: Page, width: number, height: number): Promise<{ embed: number[]; regions: string[] }> {
  await page.evaluate(() => performance.clearMeasures('annotate:focus-embed'));
  const canvas = page.getByTestId('annotate-canvas');
  const visibleWidth = () => canvas.evaluate((c) => c.clientWidth / Number(c.dataset['scale']));
  const regions: string[] = [];
  for (let i = 0; i < FOCUS_VIEWS; i++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('f');
    await page.getByTestId('focus-status').waitFor({ state: 'detached' });
    const p = await screenPoint(page, width * (0.3 + 0.4 * ((i * 37) % 100) / 100), height * (0.3 + 0.4 * ((i * 61) % 100) / 100));
    await page.mouse.move(p.x, p.y);
    for (let n = 0; n < 40 && (await visibleWidth()) > width / 3; n++) await page.mouse.wheel(0, -100);
    await page.locator('[data-testid="focus-status"][data-status="ready"]').waitFor({ timeout: 60_000 });
    await page.waitForFunction((n) => performance.getEntriesByName('annotate:focus-embed').length >= n, i + 1);
    regions.push(String(await page.evaluate(() => JSON.stringify((performance.getEntriesByName('annotate:focus-embed').at(-1) as PerformanceMeasure).detail.region))));
  }
  await page.keyboard.press('f');
  return { embed: await entries(page, 'annotate:focus-embed'), regions };
}

const p50 = (xs: number[]) => (xs.length ? `${pct(xs, 0.5).toFixed(1)}` : '–');
/** "masks on the page 3.1 · overlay 5.0 · frame starts 12.2" (p50s, ms after the click) */
const stageLine = (c: Clicks) => `p50 from the click: masks on the page ${p50(c.stages[0]!)} ms · overlay ready ${p50(c.stages[1]!)} ms · frame starts ${p50(c.stages[2]!)} ms`;

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'bench-browser-'));
  const samBundle = WITH_SAM ? samShapedBundle(work) : null;
  const env = await createTestEnv({ LOG_LEVEL: 'info' });
  const { deps } = env;
  let stack: Stack | undefined;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'] });
  try {
    const ops = await makeUser(deps.db, { role: 'ops' });
    const annotator = await makeUser(deps.db, { role: 'annotator' });
    const rivals = await Promise.all(Array.from({ length: NEW_IMAGES + 1 }, () => makeUser(deps.db, { role: 'annotator' })));
    const manager = await makeUser(deps.db, { role: 'manager' });
    const defaultCheckpoint = await registerCheckpoint(deps, ops, { dir: path.join(REPO_ROOT, 'models/default'), name: 'built-in default', activate: true });
    const project = await makeProject(deps.db, { createdBy: manager, name: 'Latency bench', members: [annotator, ...rivals].map((user) => ({ user, role: 'annotator' as const })) });
    const imageCount = 2 * NEW_IMAGES + 2;
    const imageIds: number[] = [];
    for (let i = 0; i < imageCount; i++) {
      const bytes = await syntheticImageBytes({ seed: 100 + i, width: IMAGE_W, height: IMAGE_H });
      imageIds.push((await uploadImage(deps, manager, { projectId: project.id, fileName: `scene-${i}.jpg`, body: Readable.from(bytes) })).image.id);
    }
    await ensureFreshWebBuild(); // rebuilt when its sources changed since the last build
    stack = await startEnvStack(env);
    await waitFor(async () => (await deps.db.image.count({ where: { projectId: project.id, status: 'ready' } })) === imageCount || null, 'the images to be ingested', 300_000, 500);
    // every embedding computed ahead: the numbers are the browser's, not the encoder's
    for (const imageId of imageIds) await deps.jobs.enqueue('embed', { imageId, checkpointId: defaultCheckpoint.id }, { priority: 5 });
    await waitFor(async () => (await deps.db.embedding.count({ where: { checkpointId: defaultCheckpoint.id } })) === imageCount || null, 'the default embeddings', 300_000, 500);

    const context = await browser.newContext({ baseURL: stack.webUrl, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByTestId('login-email').fill(annotator.email);
    await page.getByTestId('login-password').fill(annotator.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/projects');
    await page.goto(`/projects/${project.id}/annotate`);
    await page.getByTestId('next-image').click();
    await toolReady(page);
    const env0 = await page.evaluate(() => ({ isolated: window.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    process.stdout.write(`chromium: crossOriginIsolated=${env0.isolated}, hardwareConcurrency=${env0.cores}; image ${IMAGE_W}×${IMAGE_H}; ${CLICKS} clicks per model\n`);

    const a = await clickLatency(page, IMAGE_W, IMAGE_H);
    const aAimed = await clickLatency(page, IMAGE_W, IMAGE_H, 'aimed');
    const focus = FOCUS_VIEWS > 0 ? await focusEmbedLatency(page, IMAGE_W, IMAGE_H) : null;

    // new images after a prefetch miss: another annotator leases the image this tool prefetched
    const newImage: number[] = [];
    const newImageFetch: number[] = [];
    const newImageHandover: number[] = [];
    for (let i = 0; i < NEW_IMAGES; i++) {
      const handle = await page.waitForFunction(() => Number(document.querySelector('[data-testid="annotate-page"]')?.getAttribute('data-prefetched-image-id') || 0) || null, null, { timeout: 120_000 });
      const prefetched = (await handle.jsonValue()) as number;
      const stolen = await requestNextTask(deps, rivals[i]!, { projectId: project.id });
      if (stolen?.image.id !== prefetched) throw new Error(`the rival got image ${stolen?.image.id}, not the prefetched ${prefetched}`);
      const before = (await entries(page, 'annotate:embedding-load')).length;
      const current = await page.getByTestId('annotate-workspace').getAttribute('data-image-id');
      await page.keyboard.press('s');
      // the image has no masks: the tool asks whether it really has no objects before submitting it
      await page.getByTestId('confirm-empty-confirm').click();
      await page.locator(`[data-testid="annotate-workspace"]:not([data-image-id="${current}"])`).waitFor({ timeout: 60_000 });
      await toolReady(page);
      await page.waitForFunction((n) => performance.getEntriesByName('annotate:embedding-load').length > n, before);
      newImage.push((await entries(page, 'annotate:embedding-load')).at(-1)!);
      newImageFetch.push((await entries(page, 'annotate:embedding-fetch')).at(-1)!);
      newImageHandover.push((await entries(page, 'annotate:embedding-handover')).at(-1)!);
    }

    // (b) the SAM ViT-B-shaped bundle, promoted while the tool is open
    const b = samBundle ? await samClicks(samBundle) : null;
    const bAimed = b?.aimed;
    async function samClicks(dir: string): Promise<Clicks & { aimed: Clicks }> {
      const sam = await registerCheckpoint(deps, ops, { dir, name: 'sam-vit-b random init' });
      const currentImage = Number(await page.getByTestId('annotate-workspace').getAttribute('data-image-id'));
      await deps.jobs.enqueue('embed', { imageId: currentImage, checkpointId: sam.id }, { priority: 1 });
      await waitFor(async () => (await deps.db.embedding.count({ where: { checkpointId: sam.id, imageId: currentImage } })) === 1 || null, 'the ViT-B embedding of the open image', 600_000, 1000);
      await promoteCheckpoint(deps, ops, { checkpointId: sam.id, reason: 'latency bench' });
      await page.getByTestId('model-switched').waitFor({ timeout: 300_000 });
      await toolReady(page);
      // the promotion re-embeds every image with the ViT-B encoder: let the worker finish first, or
      // the page would share the 2 cores with it
      await waitFor(async () => (await deps.db.embedding.count({ where: { checkpointId: sam.id } })) === imageCount || null, 'the ViT-B embeddings of the promotion', 1_200_000, 2000);
      const cold = await clickLatency(page, IMAGE_W, IMAGE_H);
      return { ...cold, aimed: await clickLatency(page, IMAGE_W, IMAGE_H, 'aimed') };
    }

    process.stdout.write(
      [
        '',
        `click → mask on screen, default model (${defaultCheckpoint.name}):  ${fmt(a.toScreen)}   [target p50 ≤ 15 ms]`,
        `   worker decode round trip alone:                     ${fmt(a.decode)}`,
        `   ${stageLine(a)}`,
        `   aimed click (pointer rests ${AIM_DWELL_MS} ms first):          ${fmt(aAimed.toScreen)}`,
        `   ${stageLine(aAimed)}`,
        ...(b && bAimed
          ? [
              `click → mask on screen, SAM ViT-B-shaped decoder:      ${fmt(b.toScreen)}   [target p50 ≤ 60 ms]`,
              `   worker decode round trip alone:                     ${fmt(b.decode)}`,
              `   aimed click (pointer rests ${AIM_DWELL_MS} ms first):          ${fmt(bAimed.toScreen)}`,
            ]
          : []),
        ...(focus
          ? [
              `focus view, default model (zoomed to a third of the image: region cut + encoder + prelude in the browser): ${fmt(focus.embed)}`,
              `   regions: ${focus.regions.slice(0, 3).join(' ')}${focus.regions.length > 3 ? ' …' : ''}`,
            ]
          : []),
        `new image after a prefetch miss (embedding fetch + parse + worker + first decode), default model: ${fmt(newImage)}   [target ≤ 150 ms]`,
        `   fetch + float16 parse:                              ${fmt(newImageFetch)}`,
        `   hand-over to the worker (+ decoder prelude):        ${fmt(newImageHandover)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await stack?.stop();
    await env.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
