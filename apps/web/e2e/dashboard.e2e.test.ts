// The project manager's dashboard in chromium, on a stack of this file's own: six days of
// annotation seeded through the engine's use cases (three checkpoints, two annotators, stages 1–3),
// then every number the page renders, and the CSV it downloads, compared with counts over the rows.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReview, deleteMask, ensureTask, queueReviewForMachineMasks, recordMaskCounters, requestNextTask, saveMask, setProjectStage, submitTask, updateMask, uploadImage, type EngineDeps } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { makeProject, makeUser, syntheticImageBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { launchBrowser, screenshot } from './browser';
import { createOwnEnv, logInOn, startOwnStack, type OwnStack } from './own-stack';

const SIZE = { width: 160, height: 120 };
const IMAGES = 6;
/** Day → checkpoint and the seconds a mask takes with it: the SAM paper's 34 s → 14 s. */
const DAYS = [
  { day: '2024-04-01', ck: 0, seconds: 34, stage: 'assisted_manual' },
  { day: '2024-04-02', ck: 0, seconds: 32, stage: 'assisted_manual' },
  { day: '2024-04-03', ck: 1, seconds: 23, stage: 'assisted_manual' },
  { day: '2024-04-04', ck: 1, seconds: 21, stage: 'assisted_manual' },
  { day: '2024-04-05', ck: 2, seconds: 15, stage: 'semi_automatic' },
  { day: '2024-04-06', ck: 2, seconds: 13, stage: 'semi_automatic' },
] as const;
const AUTO_PER_IMAGE = [3, 8, 12, 25, 30, 0];
/** Automatic masks rejected in review: all of the second image's, two of the third's. */
const AUTO_REJECTED_ONE_BY_ONE = 2;
const AUTO_REJECTED = AUTO_PER_IMAGE[1]! + AUTO_REJECTED_ONE_BY_ONE;

let env: TestEnv;
let own: OwnStack;
let browser: Browser;
let manager: MadeUser;
let annotators: MadeUser[];
let projectId: string;
/** A project of the same manager, made later (first in the list, first by name) that sees no work. */
let quietProjectId: string;

function rect(x0: number, y0: number, w: number, h: number) {
  const data = new Uint8Array(SIZE.width * SIZE.height);
  for (let y = y0; y < Math.min(SIZE.height, y0 + h); y++) for (let x = x0; x < Math.min(SIZE.width, x0 + w); x++) data[y * SIZE.width + x] = 1;
  return compressRle(encodeMask({ ...SIZE, data }));
}
const onDay = (day: string): EngineDeps => ({ ...env.deps, now: () => new Date(`${day}T10:00:00Z`) });

let imageIds: number[] = [];

/** Users, the project and its images (the stack's worker ingests them into stage-1 tasks). */
async function createProject(): Promise<void> {
  const { db } = env.deps;
  manager = await makeUser(db, { role: 'manager', name: 'Maya Manager' });
  annotators = [await makeUser(db, { role: 'annotator', name: 'Ana Ruiz' }), await makeUser(db, { role: 'annotator', name: 'Ben Okafor' })];
  projectId = (await makeProject(db, { createdBy: manager, name: 'Harbour survey', members: annotators.map((user) => ({ user, role: 'annotator' as const })) })).id;
  quietProjectId = (await makeProject(db, { createdBy: manager, name: 'Anchorage (quiet)' })).id;
  imageIds = [];
  for (let i = 0; i < IMAGES; i++) {
    const { image } = await uploadImage(env.deps, manager, { projectId, fileName: `harbour-${i + 1}.png`, body: Readable.from([await syntheticImageBytes({ seed: 40 + i, ...SIZE, format: 'png' })]) });
    imageIds.push(image.id);
  }
}

/** Six days of annotation, then what prefill and autogen runs store. */
async function seed(): Promise<void> {
  const { db } = env.deps;
  // three checkpoints in lineage order (rows only: the dashboard reads their names)
  const checkpoints: { id: string }[] = [];
  for (const [i, name] of ['built-in default', 'retrain r1', 'retrain r2'].entries()) {
    checkpoints.push(await db.checkpoint.create({ data: { name, bundleKey: `checkpoints/${name}`, bundleHash: `dashboard-${i}`, manifest: {}, status: i === 2 ? 'candidate' : 'retired', parentId: checkpoints[i - 1]?.id ?? null, createdAt: new Date(Date.UTC(2024, 2, 1 + i)) } }));
  }

  const madeOn = new Map<string, string>(); // mask id → the day it was made
  for (const [d, plan] of DAYS.entries()) {
    const deps = onDay(plan.day);
    if (d === 4) await setProjectStage(env.deps, manager, { projectId, stage: 'semi_automatic' });
    for (const [a, who] of annotators.entries()) {
      for (let k = 0; k < 3; k++) {
        const seconds = plan.seconds * (a === 0 ? 0.9 : 1.15) + (k - 1) * 2;
        const mask = await saveMask(deps, who, {
          imageId: imageIds[(d * 2 + a) % IMAGES]!,
          segmentation: rect(10 + k * 30, 10 + a * 40, 20 + d * 3, 18),
          activeMs: Math.round(seconds * 1000),
          clicks: Math.max(1, Math.round(seconds / 5)),
          checkpointId: checkpoints[plan.ck]!.id,
        });
        madeOn.set(mask.id, plan.day);
        if (d === 1 && a === 0 && k === 0) await updateMask(deps, who, { maskId: mask.id, version: mask.version, segmentation: rect(5, 5, 30, 30), activeMs: 6_000, clicks: 2 });
        if (d === 3 && a === 1 && k === 2) await deleteMask(deps, who, { maskId: mask.id, version: mask.version });
      }
      // stage 1: Ana submits an image every day, Ben every other day
      if (plan.stage === 'assisted_manual' && (a === 0 || d % 2 === 1)) {
        const task = await requestNextTask(deps, who, { projectId });
        if (task) await submitTask(deps, who, { taskId: task.id, activeMs: 90_000, emptyConfirmed: true });
      }
    }
  }
  // what prefill and autogen runs store: masks without author or time, counted in the same transaction
  const stored = async (stage: 'semi_automatic' | 'fully_automatic', provenance: 'prefill' | 'auto', imageId: number, n: number, day: string, runId: string | null = null) => {
    await db.$transaction(async (tx) => {
      await tx.mask.createMany({
        data: Array.from({ length: n }, (_, k) => {
          const rle = rect((k * 11) % 150, (k * 7) % 110, 8, 8);
          return { projectId, imageId, stage, provenance, rleCounts: rle.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: (k * 11) % 150, bboxY: (k * 7) % 110, bboxW: 8, bboxH: 8, area: 64, checkpointId: checkpoints[2]!.id, runId, predictedIou: 0.9, stabilityScore: 0.95, createdAt: new Date(`${day}T18:00:00Z`) };
        }),
      });
      await recordMaskCounters(tx, { projectId, stage, provenance, authorId: null, checkpointId: checkpoints[2]!.id, day: new Date(day) }, { masks: n, activeMs: 0, clicks: 0 });
    });
  };
  for (let i = 0; i < 4; i++) await stored('semi_automatic', 'prefill', imageIds[i]!, 2 + i, '2024-04-05');
  // stage 2: Ana checks the first two pre-filled images — deletes both masks of the first, keeps the second's three
  await db.$transaction(async (tx) => {
    for (const imageId of imageIds.slice(0, 4)) await ensureTask(tx, { projectId, imageId, stage: 'semi_automatic' });
  });
  for (let i = 0; i < 2; i++) {
    const task = (await requestNextTask(env.deps, annotators[0]!, { projectId }))!;
    if (i === 0) {
      for (const m of await db.mask.findMany({ where: { imageId: task.image.id, provenance: 'prefill' } })) await deleteMask(env.deps, annotators[0]!, { maskId: m.id.toString(), version: m.version });
    }
    await submitTask(env.deps, annotators[0]!, { taskId: task.id, activeMs: 50_000, emptyConfirmed: true });
  }
  await setProjectStage(env.deps, manager, { projectId, stage: 'fully_automatic' });
  const autogen = await db.run.create({ data: { projectId, kind: 'autogen', status: 'succeeded', checkpointId: checkpoints[2]!.id } });
  for (const [i, n] of AUTO_PER_IMAGE.entries()) if (n > 0) await stored('fully_automatic', 'auto', imageIds[i]!, n, '2024-04-06', autogen.id);
  // the autogen output in review: the first image accepted, the second rejected, the third accepted but for two masks
  await db.$transaction(async (tx) => {
    for (const [i, n] of AUTO_PER_IMAGE.entries()) if (n > 0) await queueReviewForMachineMasks(tx, { projectId, imageId: imageIds[i]!, stage: 'fully_automatic', runId: autogen.id });
  });
  const reviewOf = async (i: number) => (await db.review.findFirstOrThrow({ where: { imageId: imageIds[i]!, runId: autogen.id } })).id.toString();
  await decideReview(env.deps, manager, { reviewId: await reviewOf(0), decision: 'accept' });
  await decideReview(env.deps, manager, { reviewId: await reviewOf(1), decision: 'reject', reason: 'grid points on water, not boats' });
  const third = await db.mask.findMany({ where: { imageId: imageIds[2]!, runId: autogen.id }, take: AUTO_REJECTED_ONE_BY_ONE, orderBy: { id: 'asc' } });
  await decideReview(env.deps, manager, { reviewId: await reviewOf(2), decision: 'accept', rejectMaskIds: third.map((m) => m.id.toString()) });
  // the engine's clock was simulated, the rows' own timestamps were not
  for (const [id, day] of madeOn) await db.mask.update({ where: { id: BigInt(id) }, data: { createdAt: new Date(`${day}T10:00:00Z`) } });
}

beforeAll(async () => {
  env = await createOwnEnv();
  await createProject();
  own = await startOwnStack(env);
  await waitFor(async () => (await env.deps.db.task.count({ where: { projectId } })) === IMAGES || null, 'the images to be ingested into tasks', 60_000, 250);
  await seed();
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await own?.close();
  await env?.close();
});

/** The truth, counted over the rows (the dashboard reads the counters). */
async function truth() {
  const q = <T>(sql: TemplateStringsArray, ...values: unknown[]) => env.deps.db.$queryRaw<T[]>(sql, ...values);
  return {
    images: (await q<{ n: number }>`SELECT count(*)::int n FROM images WHERE project_id = ${projectId}::uuid`)[0]!.n,
    tasks: await q<{ stage: string; status: string; n: number }>`SELECT stage::text, status::text, count(*)::int n FROM tasks WHERE project_id = ${projectId}::uuid GROUP BY 1, 2`,
    masks: await q<{ stage: string; provenance: string; n: number }>`SELECT stage::text, provenance::text, count(*)::int n FROM masks WHERE project_id = ${projectId}::uuid AND deleted_at IS NULL GROUP BY 1, 2`,
    perImage: await q<{ n: number; auto: number }>`SELECT count(m.id)::int n, (count(m.id) FILTER (WHERE m.provenance = 'auto'))::int auto FROM images i LEFT JOIN masks m ON m.image_id = i.id AND m.deleted_at IS NULL WHERE i.project_id = ${projectId}::uuid GROUP BY i.id`,
    // masks annotators made (deleted ones too: their time was spent)
    effort: await q<{ checkpoint: string; email: string; day: string; stage: string; masks: number; ms: number; clicks: number }>`
      SELECT c.name checkpoint, u.email, to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, m.stage::text, count(*)::int masks, sum(m.active_ms)::int ms, sum(m.clicks)::int clicks
      FROM masks m JOIN checkpoints c ON c.id = m.checkpoint_id JOIN users u ON u.id = m.author_id
      WHERE m.project_id = ${projectId}::uuid GROUP BY 1, 2, 3, 4`,
    submitted: await q<{ email: string; n: number }>`SELECT u.email, count(*)::int n FROM tasks t JOIN users u ON u.id = t.assignee_id WHERE t.project_id = ${projectId}::uuid AND t.status = 'submitted' GROUP BY 1`,
  };
}
type Truth = Awaited<ReturnType<typeof truth>>;
const total = <T>(rows: T[], pick: (r: T) => number) => rows.reduce((s, r) => s + pick(r), 0);
const round2 = (x: number) => Math.round(x * 100) / 100;
const maskCount = (t: Truth, stage: string | null, provenance: string) => total(t.masks.filter((r) => (stage === null || r.stage === stage) && r.provenance === provenance), (r) => r.n);

describe('the dashboard', () => {
  let page: Page;
  let t: Truth;

  beforeAll(async () => {
    page = await logInOn(browser, own.stack, manager);
    await page.getByTestId('nav-dashboard').click();
    await page.waitForURL(`**/dashboard?project=${projectId}`);
    await page.getByTestId('dashboard-body').waitFor();
    t = await truth();
  });

  const cell = (row: string, metric: string) => page.locator(`${row} [data-metric="${metric}"]`).textContent();

  it('shows the totals and the images, tasks and masks of each stage as the rows count them', async () => {
    const stat = (metric: string) => page.locator(`[data-testid="stat"][data-metric="${metric}"] [data-testid="stat-value"]`).textContent();
    expect(Number(await stat('images.total'))).toBe(t.images);
    for (const p of ['manual', 'prefill', 'auto']) expect(Number(await stat(`masks.${p}`)), p).toBe(maskCount(t, null, p));
    expect(maskCount(t, null, 'auto')).toBe(total(AUTO_PER_IMAGE, (n) => n) - AUTO_REJECTED);
    for (const stage of ['assisted_manual', 'semi_automatic', 'fully_automatic']) {
      const row = `[data-testid="stage-row"][data-stage="${stage}"]`;
      for (const status of ['open', 'leased', 'submitted', 'skipped']) expect(Number(await cell(row, `tasks.${status}`)), `${stage} ${status}`).toBe(t.tasks.find((r) => r.stage === stage && r.status === status)?.n ?? 0);
      for (const p of ['manual', 'prefill', 'auto']) expect(Number(await cell(row, `masks.${p}`)), `${stage} ${p}`).toBe(maskCount(t, stage, p));
    }
    expect(Number(await cell('[data-testid="stage-row"][data-stage="assisted_manual"]', 'tasks.submitted'))).toBe(6);
  });

  it('shows time and clicks per mask by checkpoint falling from 34 s towards 14 s, as the masks sum them', async () => {
    const names = await page.getByTestId('checkpoint-effort-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-checkpoint')));
    expect(names).toEqual(['built-in default', 'retrain r1', 'retrain r2']);
    const perMask: number[] = [];
    for (const name of names) {
      const rows = t.effort.filter((r) => r.checkpoint === name);
      const row = `[data-testid="checkpoint-effort-row"][data-checkpoint="${name}"]`;
      const [masks, ms, clicks] = [total(rows, (r) => r.masks), total(rows, (r) => r.ms), total(rows, (r) => r.clicks)];
      expect(Number(await cell(row, 'masks')), name!).toBe(masks);
      expect(Number(await cell(row, 'clicks')), name!).toBe(clicks);
      expect(Number(await cell(row, 'activeSeconds')), name!).toBe(Math.round(ms / 1000));
      expect(Number(await cell(row, 'secondsPerMask')), name!).toBe(round2(ms / 1000 / masks));
      perMask.push(round2(ms / 1000 / masks));
    }
    expect(perMask[0]).toBeGreaterThan(30);
    expect(perMask[2]).toBeLessThan(16);
    await page.getByTestId('chart-effort-over-time').locator('.recharts-line').first().waitFor();
    expect(await page.getByTestId('chart-effort-over-time').locator('.recharts-line').count()).toBe(3);
    await page.getByTestId('effort-dimension').selectOption('annotator');
    await expect.poll(() => page.getByTestId('chart-effort-over-time').locator('.recharts-legend-item-text').allTextContents()).toEqual(['Ana Ruiz', 'Ben Okafor']);
    await page.getByTestId('effort-dimension').selectOption('checkpoint');
  });

  it('shows each annotator\'s masks and submitted images as the rows count them', async () => {
    for (const who of annotators) {
      const row = `[data-testid="annotator-row"][data-email="${who.email}"]`;
      const rows = t.effort.filter((r) => r.email === who.email);
      expect(Number(await cell(row, 'masks')), who.name).toBe(total(rows, (r) => r.masks));
      expect(Number(await cell(row, 'imagesSubmitted')), who.name).toBe(t.submitted.find((r) => r.email === who.email)?.n ?? 0);
      expect(Number(await cell(row, 'masksPerHour')), who.name).toBe(round2(total(rows, (r) => r.masks) / (total(rows, (r) => r.ms) / 3_600_000)));
    }
  });

  it('shows the masks-per-image histogram of the rows', async () => {
    const buckets: [string, number, number][] = [['0', 0, 0], ['1–5', 1, 5], ['6–20', 6, 20], ['21–50', 21, 50], ['51–100', 51, 100], ['101–200', 101, 200], ['201+', 201, Infinity]];
    for (const [label, min, max] of buckets) {
      const inBucket = (n: number) => n >= min && n <= max;
      expect(Number(await cell('[data-testid="masks-per-image-row"][data-series="all"]', label)), label).toBe(t.perImage.filter((r) => inBucket(r.n)).length);
      expect(Number(await cell('[data-testid="masks-per-image-row"][data-series="auto"]', label)), label).toBe(t.perImage.filter((r) => inBucket(r.auto)).length);
    }
    await screenshot(page, 'dashboard');
  });

  it('downloads the same numbers as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^harbour-survey-dashboard-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await readFile((await download.path())!, 'utf8');
    const [header, ...lines] = text.trimEnd().split('\r\n');
    const columns = header!.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, v])));
    const values = (where: Record<string, string>) => rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v)).map((r) => Number(r['value']));
    expect(values({ section: 'images', status: 'all' })).toEqual([t.images]);
    for (const r of t.masks) expect(values({ section: 'masks', stage: r.stage, provenance: r.provenance }), `${r.stage} ${r.provenance}`).toEqual([r.n]);
    // per day, stage, checkpoint and annotator: exactly the groups of the masks
    const daily = rows.filter((r) => r['section'] === 'effort_daily' && r['metric'] === 'masks');
    expect(daily).toHaveLength(t.effort.length);
    for (const e of t.effort) {
      const where = { section: 'effort_daily', day: e.day, stage: e.stage, checkpoint: e.checkpoint, annotator: e.email };
      expect([values({ ...where, metric: 'masks' }), values({ ...where, metric: 'active_ms' }), values({ ...where, metric: 'clicks' })], JSON.stringify(where)).toEqual([[e.masks], [e.ms], [e.clicks]]);
    }
    for (const who of annotators) expect(values({ section: 'effort_by_annotator', annotator: who.email, metric: 'images_submitted' })).toEqual([t.submitted.find((r) => r.email === who.email)?.n ?? 0]);
  });

  it('shows the accept rates of the model\'s masks per checkpoint, with their definition, as the masks\' fates count them', async () => {
    expect(await page.getByTestId('accept-rate-definition').textContent()).toContain('kept as the model made them');
    const row = (provenance: string) => `[data-testid="accept-rate-row"][data-checkpoint="retrain r2"][data-provenance="${provenance}"]`;
    const numbers = async (provenance: string) => Object.fromEntries(await Promise.all(['made', 'kept', 'edited', 'deleted', 'rejected', 'pending'].map(async (m) => [m, Number(await cell(row(provenance), m))])));
    // automatic: the first image's 3 and 10 of the third's 12 accepted; the second's 8 and 2 of the third's rejected; 25 + 30 wait
    expect(await numbers('auto')).toEqual({ made: 78, kept: 13, edited: 0, deleted: 0, rejected: 10, pending: 55 });
    expect(Number(await page.locator(`${row('auto')} [data-metric="acceptRate"]`).getAttribute('data-value'))).toBe(Math.round((13 / 23) * 10_000) / 10_000);
    // pre-filled: the first image's 2 deleted, the second's 3 kept (its image submitted), the other two images' 9 pending
    expect(await numbers('prefill')).toEqual({ made: 14, kept: 3, edited: 0, deleted: 2, rejected: 0, pending: 9 });
    expect(await page.getByTestId('accept-headline').textContent()).toContain('56.5 % of the automatic masks of retrain r2 were kept');
  });

  it('shows active time per image per stage as the submitted tasks sum it, and the idle-gap rule', async () => {
    const rows = await env.deps.db.$queryRaw<{ stage: string; n: number; ms: number }[]>`SELECT stage::text, count(*)::int n, sum(active_ms)::int ms FROM tasks WHERE project_id = ${projectId}::uuid AND status = 'submitted' GROUP BY 1`;
    for (const r of rows) expect(Number(await cell(`[data-testid="stage-row"][data-stage="${r.stage}"]`, 'secondsPerImage')), r.stage).toBe(round2(r.ms / 1000 / r.n));
    const all = rows.reduce((a, r) => ({ n: a.n + r.n, ms: a.ms + r.ms }), { n: 0, ms: 0 });
    expect(await page.locator('[data-testid="stat"][data-metric="effort.secondsPerImage"] [data-testid="stat-value"]').textContent()).toBe(`${Math.round((all.ms / 1000 / all.n) * 10) / 10} s`);
    const rule = page.getByTestId('idle-rule');
    expect(await rule.getAttribute('data-cap')).toBe('30');
    expect(await rule.textContent()).toContain('a pause longer than 30 s counts as 30 s (capped, not dropped)');
  });

  it('draws seconds and clicks per checkpoint on separate axes', async () => {
    const chart = page.getByTestId('chart-effort-by-checkpoint');
    await chart.locator('.recharts-bar').first().waitFor();
    expect(await chart.locator('.recharts-yAxis').count()).toBe(2);
    expect((await chart.locator('.recharts-legend-item-text').allTextContents()).sort()).toEqual(['clicks / mask (right)', 's / mask (left)']);
  });

  it('downloads one row per image and one per mask beside the aggregates', async () => {
    const read = async (testId: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
      const [header, ...lines] = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\r\n');
      return { name: download.suggestedFilename(), columns: header!.split(','), lines };
    };
    const images = await read('download-images-csv');
    expect(images.name).toMatch(/^harbour-survey-images-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(images.lines).toHaveLength(IMAGES);
    expect(images.columns).toContain('active_seconds');
    const masks = await read('download-masks-csv');
    expect(masks.lines).toHaveLength(await env.deps.db.mask.count({ where: { projectId } }));
    expect(masks.columns).toEqual(expect.arrayContaining(['mask_id', 'provenance', 'author', 'checkpoint', 'fate', 'deleted_at']));
  });

  it('opens on the project looked at last: one picked on the dashboard, then one whose page was opened', async () => {
    await page.getByTestId('dashboard-project').selectOption(quietProjectId);
    await page.waitForURL(`**/dashboard?project=${quietProjectId}`);
    await page.goto('/projects');
    await page.getByTestId('nav-dashboard').click();
    await page.waitForURL(`**/dashboard?project=${quietProjectId}`);
    await page.goto(`/projects/${projectId}`);
    await page.getByTestId('project-page').waitFor();
    await page.getByTestId('nav-dashboard').click();
    await page.waitForURL(`**/dashboard?project=${projectId}`);
  });
});

describe('an annotator', () => {
  it('has no dashboard link, and the dashboard of their own project is refused by the API', async () => {
    const page = await logInOn(browser, own.stack, annotators[0]!);
    expect(await page.getByTestId('nav-dashboard').count()).toBe(0);
    await page.goto(`/dashboard?project=${projectId}`);
    const notice = page.getByTestId('forbidden');
    await notice.waitFor();
    expect(await notice.textContent()).toContain("this project's dashboard needs the manager role in this project");
    expect(await notice.textContent()).not.toContain('Harbour survey');
    expect(await page.getByTestId('dashboard-body').count()).toBe(0);
    for (const call of ['stats.project', 'stats.csv']) {
      const res = await page.request.get(`/trpc/${call}?input=${encodeURIComponent(JSON.stringify({ projectId }))}`);
      expect(res.status(), call).toBe(403);
    }
    await page.context().close();
  });
});
