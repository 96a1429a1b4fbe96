// The ops console in chromium, on a stack of this file's own: checkpoints by scope with lineage,
// each evaluation shown as candidate beside the checkpoint it would replace on ONE held-out set
// with the gate's verdict in words (a trainer's own numbers labelled, never compared); promoting a
// candidate the gate refused through a confirmation with a reason that lands in its history; roll
// back of one scope; an evaluate the held-out set cannot support refused from the form; queue
// health with the worker online; an autogen run started from the form and watched to the end; a
// retrain schedule with a full retrain every Kth time; and
// an annotator refused by page and API alike.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCheckpoint, uploadImage, type CheckpointRow } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { makeProject, makeUser, syntheticImageBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { launchBrowser, screenshot } from './browser';
import { createOwnEnv, logInOn, startOwnStack, type OwnStack } from './own-stack';

const PROJECT = 'Console demo';
const IMAGES = 2;
const SET = { id: 'set:5e1d0c2b9a47', images: 12, masks: 180, excludedImages: 0 };
const VERDICT = 'miou5 falls by 0.0515, more than the margin 0.01 (miou1 +0.0430, miou3 +0.0210, miou5 -0.0515)';
/** The trainer's own numbers for r1 (its model card, its own val split): shown, never compared. */
const TRAINER_CARD = { miou_1click: 0.509, miou_3click: 0.655, miou_5click: 0.723, box_ap50: 0.796 };

let env: TestEnv;
let own: OwnStack;
let browser: Browser;
let ops: MadeUser;
let annotator: MadeUser;
let projectId: string;
let root: CheckpointRow;
let child: CheckpointRow;
const bundleDirs: string[] = [];

async function bundle(variant: 'valid' | 'with-detector', manifestPatch: Record<string, unknown> = {}): Promise<string> {
  const dir = await writeContractBundle(await mkdtemp(path.join(tmpdir(), 'console-bundle-')), variant);
  bundleDirs.push(dir);
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> & { lineage: Record<string, unknown> };
  await writeFile(file, JSON.stringify({ ...manifest, ...manifestPatch, lineage: { ...manifest.lineage, ...((manifestPatch['lineage'] as object) ?? {}) } }));
  return dir;
}

/** An evaluation as evaluate runs record it: both checkpoints on one held-out set. */
function evaluation(candidate: { id: string; name: string }, baseline: { id: string; name: string }) {
  const calibration = (actual: number) => Array.from({ length: 10 }, (_, i) => (i === 8 ? { lo: 0.8, hi: 0.9, count: 180, predicted: 0.86, actual } : { lo: i / 10, hi: (i + 1) / 10, count: 0, predicted: null, actual: null }));
  const m = (c: { id: string; name: string }, v: { miou1: number; miou3: number; miou5: number; noc90: number; boxAp50: number; boxMiou1: number; actual: number }) => ({
    checkpointId: c.id, name: c.name, miou1: v.miou1, miou3: v.miou3, miou5: v.miou5, noc90: v.noc90, boxAp50: v.boxAp50, boxMiou1: v.boxMiou1,
    calibrationError: Math.abs(0.86 - v.actual), calibration: calibration(v.actual), images: SET.images, objects: SET.masks,
  });
  return {
    runId: '6f1c2d3e-0000-4000-8000-000000000001', at: '2026-11-28T09:00:00.000Z', projectId: null, set: SET,
    candidate: m(candidate, { miou1: 0.655, miou3: 0.802, miou5: 0.783, noc90: 5.9, boxAp50: 0.447, boxMiou1: 0.71, actual: 0.8 }),
    baseline: m(baseline, { miou1: 0.612, miou3: 0.781, miou5: 0.834, noc90: 6.8, boxAp50: 0.412, boxMiou1: 0.69, actual: 0.74 }),
    verdict: VERDICT, gatePassed: false, decision: 'awaiting ops decision', nocMaxClicks: 20,
  };
}

beforeAll(async () => {
  env = await createOwnEnv();
  const { db } = env.deps;
  ops = await makeUser(db, { role: 'ops', name: 'Oscar Ops' });
  annotator = await makeUser(db, { role: 'annotator', name: 'Ann Annotator' });
  const manager = await makeUser(db, { role: 'manager' });
  projectId = (await makeProject(db, { createdBy: manager, name: PROJECT, members: [{ user: annotator, role: 'annotator' }] })).id;
  // global scope: the contract checkpoint (SAM-SPEC.md §8) is active; a retrained child waits as a
  // candidate the gate refused. The project has a checkpoint of its own, also active.
  root = await registerCheckpoint(env.deps, ops, { dir: await bundle('valid'), name: 'contract r0', activate: true });
  child = await registerCheckpoint(env.deps, ops, { dir: await bundle('with-detector', { lineage: { metrics: TRAINER_CARD } }), name: 'contract r1', parentId: root.id });
  await db.checkpoint.update({ where: { id: child.id }, data: { metrics: { evaluation: evaluation(child, root) } } });
  await registerCheckpoint(env.deps, ops, { dir: await bundle('valid', { name: 'console own' }), name: 'console r2', parentId: root.id, projectId, activate: true });
  for (let i = 0; i < IMAGES; i++) {
    await uploadImage(env.deps, manager, { projectId, fileName: `console-${i + 1}.png`, split: 'train', body: Readable.from([await syntheticImageBytes({ seed: 70 + i, width: 128, height: 96, format: 'png' })]) });
  }
  own = await startOwnStack(env);
  await waitFor(async () => (await db.image.count({ where: { projectId, status: 'ready' } })) === IMAGES || null, 'the images to be ingested', 60_000, 250);
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await own?.close();
  await env?.close();
  await Promise.all(bundleDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('ops', () => {
  let page: Page;
  beforeAll(async () => {
    page = await logInOn(browser, own.stack, ops);
    await page.getByTestId('nav-ops').click();
    await page.waitForURL('**/ops');
    await page.getByTestId('queues-table').waitFor();
  });

  it('sees every queue with the worker online', async () => {
    const queues = await page.getByTestId('queue-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-queue')));
    expect(queues).toEqual(['embed', 'exchange', 'infer', 'ingest', 'train']);
    // the stack's one worker process consumes every queue
    for (const queue of queues) await expect.poll(() => page.locator(`[data-testid="queue-row"][data-queue="${queue}"] [data-metric="workers"]`).textContent(), { message: queue! }).toBe('1');
  });

  it('shows checkpoints by scope, and an evaluation only as both checkpoints on one held-out set with the verdict in words', async () => {
    const rows = page.getByTestId('checkpoint-row');
    await rows.first().waitFor();
    // two ACTIVE rows, explained by their scope
    expect(await rows.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-name'), r.getAttribute('data-status'), r.getAttribute('data-scope')]))).toEqual([
      ['contract r0', 'active', 'global'],
      ['contract r1', 'candidate', 'global'],
      ['console r2', 'active', PROJECT],
    ]);
    const candidateRow = page.locator('[data-testid="checkpoint-row"][data-name="contract r1"]');
    expect(await candidateRow.getByTestId('checkpoint-parent').textContent()).toContain('from contract r0');
    expect(await page.locator('[data-testid="checkpoint-row"][data-name="console r2"]').getByTestId('checkpoint-parent').textContent()).toContain('from contract r0');
    expect(await candidateRow.getByTestId('checkpoint-evaluation-summary').textContent()).toContain(`vs contract r0 on ${SET.id} (12 img, 180 masks)`);

    // the comparison: one set, named; candidate beside the checkpoint it would replace
    const comparison = page.getByTestId('checkpoint-comparison');
    expect(await comparison.count()).toBe(1);
    expect(await comparison.getAttribute('data-set-id')).toBe(SET.id);
    expect(await comparison.getByTestId('checkpoint-set').textContent()).toContain(`contract r1 and contract r0, the active checkpoint it was to replace, both on held-out set ${SET.id}: 12 images, 180 masks`);
    const cell = (metric: string, side: string) => comparison.locator(`tr[data-metric="${metric}"] [data-side="${side}"]`).textContent();
    expect([await cell('miou1', 'candidate'), await cell('miou1', 'baseline')]).toEqual(['0.655', '0.612']);
    expect([await cell('miou5', 'candidate'), await cell('miou5', 'baseline')]).toEqual(['0.783', '0.834']);
    expect([await cell('noc90', 'candidate'), await cell('boxMiou1', 'candidate'), await cell('calibrationError', 'baseline')]).toEqual(['5.90', '0.710', '0.120']);
    expect(await comparison.locator('tr[data-metric="noc90"] th').textContent()).toBe('NoC@90 (cap 20)');
    expect(await comparison.locator('tr[data-metric="miou5"] [data-outcome]').getAttribute('data-outcome')).toBe('worse');
    const verdict = comparison.getByTestId('checkpoint-verdict');
    expect(await verdict.textContent()).toBe(`Gate: ${VERDICT}; awaiting ops decision`);
    expect(await verdict.getAttribute('data-gate')).toBe('refused');

    // the trainer's own numbers are labelled as such and styled as nothing better than anything
    expect(await candidateRow.getByTestId('checkpoint-trainer-card').textContent()).toBe('mIoU@1 0.509 · @3 0.655 · @5 0.723 · AP 0.796');
    expect(await page.locator('.best-metric').count()).toBe(0);
    expect(await candidateRow.getByTestId('checkpoint-gate').textContent()).toContain('needs an override');
    await page.getByTestId('checkpoints-panel').screenshot({ path: path.join(tmpdir(), 'checkpoints-view.png') });
  });

  it('promoting a candidate the gate refused asks for a reason, and the override is in its history', async () => {
    const candidateRow = page.locator('[data-testid="checkpoint-row"][data-name="contract r1"]');
    await candidateRow.getByTestId('checkpoint-promote').click();
    const dialog = page.getByTestId('promote-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('promote-dialog-gate').textContent()).toBe(`The promotion gate did not pass it: ${VERDICT}`);
    expect(await dialog.getByTestId('promote-dialog-confirm').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(tmpdir(), 'promote-dialog.png') });
    // cancelling changes nothing
    await dialog.getByTestId('promote-dialog-cancel').click();
    expect(await page.getByTestId('promote-dialog').count()).toBe(0);
    expect((await env.deps.db.checkpoint.findUniqueOrThrow({ where: { id: child.id } })).status).toBe('candidate');

    await candidateRow.getByTestId('checkpoint-promote').click();
    const reason = 'checked 40 masks by hand: the 5-click drop is one odd image';
    await page.getByTestId('promote-dialog-reason').fill(reason);
    await page.getByTestId('promote-dialog-confirm').click();
    await expect.poll(() => candidateRow.getAttribute('data-status'), { timeout: 15_000 }).toBe('active');
    expect(await page.getByTestId('promote-dialog').count()).toBe(0);
    // the other scope is untouched: the project's own checkpoint stays active
    expect(await page.locator('[data-testid="checkpoint-row"][data-name="console r2"]').getAttribute('data-status')).toBe('active');
    expect(await page.locator('[data-testid="checkpoint-row"][data-name="contract r0"]').getAttribute('data-status')).toBe('retired');
    const event = await env.deps.db.checkpointEvent.findFirstOrThrow({ where: { checkpointId: child.id, toStatus: 'active' } });
    expect(event).toMatchObject({ action: 'promote-override', actorId: ops.id, reason: `gate overridden (${VERDICT}): ${reason}` });

    await candidateRow.getByTestId('checkpoint-history-toggle').click();
    const history = page.getByTestId('checkpoint-history');
    await history.waitFor();
    const first = history.getByTestId('checkpoint-event').first();
    expect(await first.getAttribute('data-action')).toBe('promote-override');
    expect(await first.textContent()).toContain(`by ${ops.email} — gate overridden (${VERDICT}): ${reason}`);
  });

  it('rolls back one scope after a reason; the project keeps its own checkpoint', async () => {
    await page.locator('[data-testid="checkpoint-scope-group"][data-scope="Global"]').getByTestId('checkpoint-rollback').click();
    const dialog = page.getByTestId('rollback-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('rollback-dialog-reason').fill('masks got worse in review');
    await dialog.getByTestId('rollback-dialog-confirm').click();
    await expect.poll(() => page.locator('[data-testid="checkpoint-row"][data-name="contract r0"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('active');
    expect(await page.locator('[data-testid="checkpoint-row"][data-name="contract r1"]').getAttribute('data-status')).toBe('retired');
    expect(await page.locator('[data-testid="checkpoint-row"][data-name="console r2"]').getAttribute('data-status')).toBe('active');
    expect(await env.deps.db.checkpoint.count({ where: { status: 'active' } })).toBe(2);
  });

  it('an evaluate the held-out set cannot support is refused from the form: no run, the reason and what to do', async () => {
    await page.getByTestId('run-kind-evaluate').click();
    await page.getByTestId('run-project').selectOption({ label: PROJECT });
    await page.getByTestId('evaluate-candidate').selectOption({ label: 'contract r1 (retired)' });
    expect(await page.getByTestId('evaluate-held-out').textContent()).toBe(`Held-out set now: 0 val images with 0 masks (needs 50) · 0 val images in the project`);
    const runsBefore = await env.deps.db.run.count();
    await page.getByTestId('start-run-submit').click();
    const error = page.getByTestId('start-run-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('this project has no val images with accepted masks; mark images as val on the project page');
    expect(await env.deps.db.run.count()).toBe(runsBefore);
    expect(await page.getByTestId('start-run-result').count()).toBe(0);
  });

  it('starts an autogen run from the form (preset + overrides) and watches it complete', async () => {
    await page.getByTestId('run-kind-autogen').click();
    await page.getByTestId('run-project').selectOption({ label: PROJECT });
    // the project's images are stage-1 images: the form selects stage 3 for autogen and asks before including them
    await page.getByTestId('select-stage').selectOption('');
    await expect.poll(() => page.getByTestId('selection-count').getAttribute('data-count')).toBe(String(IMAGES));
    await page.getByTestId('allow-earlier-stages').check();
    await page.getByTestId('autogen-preset').selectOption('sam-default');
    // the contract decoder's discs (logit = R − distance) score a stability of ≈ 0.78 at this size,
    // under SAM's 0.95; their predicted IoU (0.9) passes SAM's 0.88
    await page.getByTestId('autogen-overrides').fill('{"pointsPerSide": 4, "stabilityScoreThresh": 0.7}');
    await page.getByTestId('start-run-submit').click();
    const result = page.getByTestId('start-run-result');
    await result.waitFor();
    const runId = (await result.getAttribute('data-run-id'))!;
    expect(await result.textContent()).toContain(`autogen run over ${IMAGES} items`);

    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-kind')).toBe('autogen');
    expect(await row.getByRole('progressbar').getAttribute('aria-valuemax')).toBe(String(IMAGES));
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 90_000, interval: 500 }).toBe('succeeded');
    expect(await row.getByTestId('run-counts').textContent()).toBe(`${IMAGES}/${IMAGES} done`);

    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ kind: 'autogen', status: 'succeeded', done: IMAGES, failed: 0 });
    expect(run.params).toMatchObject({ preset: 'sam-default', overrides: { pointsPerSide: 4, stabilityScoreThresh: 0.7 } });
    expect(await env.deps.db.mask.count({ where: { runId, provenance: 'auto', projectId } })).toBeGreaterThan(0);
    await page.getByTestId('queues-table').waitFor();
    await screenshot(page, 'ops-console');
  });

  it('sets a retrain schedule whose every 2nd retrain is a full one, and sees which mode comes next', async () => {
    // the row is drawn again after each save (its form starts from the saved values)
    const scheduleRow = () => page.locator(`[data-testid="schedule-row"][data-project-name="${PROJECT}"]`);
    const row = scheduleRow();
    await row.getByTestId('schedule-every').fill('40');
    await row.getByTestId('schedule-full-every').fill('2');
    await row.getByTestId('schedule-save').click();
    await expect.poll(async () => (await env.deps.db.project.findUniqueOrThrow({ where: { id: projectId } })).retrainFullEvery, { timeout: 10_000 }).toBe(2);
    const saved = scheduleRow();
    await expect.poll(() => saved.locator('[data-metric="nextMode"]').textContent(), { timeout: 10_000 }).toBe('fast');
    expect(await saved.locator('[data-metric="masksToNext"]').textContent()).toBe('40');
    // "full every [2]nd"
    expect(await saved.getByTestId('schedule-full-every').inputValue()).toBe('2');
    expect(await saved.locator('label').textContent()).toMatch(/nd$/);
    await screenshot(page, 'ops-retrain-schedule');
    // every scheduled retrain full: the next one is full
    await saved.getByTestId('schedule-full-every').fill('1');
    await saved.getByTestId('schedule-save').click();
    await expect.poll(() => scheduleRow().locator('[data-metric="nextMode"]').textContent(), { timeout: 10_000 }).toBe('full');
    // a bad cadence is refused before anything is sent
    await scheduleRow().getByTestId('schedule-full-every').fill('0');
    expect(await scheduleRow().getByTestId('schedule-save').isDisabled()).toBe(true);
    expect(await env.deps.db.project.findUniqueOrThrow({ where: { id: projectId } })).toMatchObject({ retrainEveryMasks: 40, retrainFullEvery: 1 });
  });

  it('offers the refit phase only with a full retrain, and refuses a negative one before anything is sent', async () => {
    await page.getByTestId('run-kind-retrain').click();
    await page.getByTestId('run-project').selectOption({ label: PROJECT });
    expect(await page.getByTestId('retrain-refit-steps').count()).toBe(0); // fast: no refit phase
    await page.getByTestId('retrain-mode').selectOption('full');
    expect(await page.getByTestId('retrain-refit-steps').inputValue()).toBe('500');
    expect(await page.getByTestId('retrain-hard-examples').count()).toBe(0);
    await screenshot(page, 'ops-retrain-full');
    await page.getByTestId('retrain-refit-steps').fill('-1');
    const runsBefore = await env.deps.db.run.count();
    await page.getByTestId('start-run-submit').click();
    expect(await page.getByTestId('start-run-error').textContent()).toMatch(/^refitSteps: /);
    expect(await env.deps.db.run.count()).toBe(runsBefore);
    await page.getByTestId('retrain-mode').selectOption('fast');
    expect(await page.getByTestId('retrain-refit-steps').count()).toBe(0);
  });

  it('says what is wrong with a bad overrides JSON before anything is sent', async () => {
    await page.getByTestId('run-kind-autogen').click();
    await page.getByTestId('autogen-overrides').fill('{pointsPerSide: 4}');
    const runsBefore = await env.deps.db.run.count();
    await page.getByTestId('start-run-submit').click();
    expect(await page.getByTestId('start-run-error').textContent()).toContain('not valid JSON');
    expect(await env.deps.db.run.count()).toBe(runsBefore);
  });
});

describe('an annotator', () => {
  it('cannot reach the ops console: no link, the page shows the refusal, the API answers 403', async () => {
    const page = await logInOn(browser, own.stack, annotator);
    expect(await page.getByTestId('nav-ops').count()).toBe(0);
    const refused = page.waitForResponse((res) => res.url().includes('/trpc/') && res.url().includes('ops.queues'));
    await page.goto('/ops');
    expect((await refused).status()).toBe(403);
    const notice = page.getByTestId('forbidden');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('needs the ops or admin role');
    expect(await page.getByTestId('start-run-panel').count()).toBe(0);
    expect(await page.getByTestId('queues-table').count()).toBe(0);

    const start = await page.request.post('/trpc/runs.start', { data: { kind: 'autogen', projectId } });
    expect(start.status()).toBe(403);
    for (const call of ['ops.queues', 'ops.retrainSchedules', 'checkpoints.list']) expect((await page.request.get(`/trpc/${call}`)).status(), call).toBe(403);
    expect(await env.deps.db.run.count({ where: { createdById: annotator.id } })).toBe(0);
    await page.context().close();
  });
});
