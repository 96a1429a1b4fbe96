// `dataengine simulate` end to end, as a user runs it (bin/dataengine.mjs in a child process, which
// starts its own worker process): a tiny simulation through all three stages with one retrain
// round, then every number of its table re-derived from the database and the regenerated ground truth
// (the saved masks are the annotator's brush/eraser-corrected ones, so they reach the touch-up IoU).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSimulationScene, groundTruthObjects, modelledMaskSeconds, type SimulationReport, type SimulationRow } from '@dataengine/engine';
import { rleIou } from '@dataengine/segment';
import { createTestEnv, REPO_ROOT, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let tmp: string;

beforeAll(async () => {
  env = await createTestEnv();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'simulate-'));
});
afterAll(async () => {
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

function cli(args: string[], overrides: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const vars = {
    DATABASE_URL: env.config.DATABASE_URL,
    DATABASE_SCHEMA: env.config.DATABASE_SCHEMA,
    REDIS_URL: env.config.REDIS_URL,
    QUEUE_PREFIX: env.config.QUEUE_PREFIX,
    BLOB_DIR: env.config.blobDir,
    LOG_LEVEL: 'warn',
    TRAINER_THREADS: '1',
    // the tiny simulation's held-out set is one image; evaluate refuses fewer masks than this
    EVAL_MIN_MASKS: '1',
    ...overrides,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/dataengine.mjs'), 'simulate', ...args], { cwd: tmp, env: { ...process.env, ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

describe('dataengine simulate', () => {
  it('runs stage 1 with a retrain round, stage 2 and stage 3, and its table matches the database', async () => {
    const out = path.join(tmp, 'report.json');
    const run = await cli([
      '--images', '6', '--stage1', '0.5', '--stage2', '0.34', '--annotators', '2',
      '--retrain-every', '3', '--retrain-steps', '2', '--val-every', '3', '--val-images', '0', '--held-out-scenes', '2', '--auto-promote-margin', '0',
      '--max-clicks', '4', '--min-area', '400',
      '--prefill', 'predIouThresh=0.6', '--prefill', 'stabilityScoreThresh=0.7',
      '--autogen', 'pointsPerSide=8', '--autogen', 'predIouThresh=0.2', '--autogen', 'stabilityScoreThresh=0.4',
      '--out', out,
    ]);
    expect(run.stderr).not.toMatch(/^dataengine:/m);
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as SimulationReport;
    const { db } = env.deps;
    const projectId = report.project.id;

    // shape: one stage-1 round (3 images, then a retrain), stage 2 (2 images), stage 3 (1 image)
    expect(report.rows.map((r) => [r.stage, r.round, r.images])).toEqual([[1, 1, 3], [2, null, 2], [3, null, 1]]);
    expect(report.images.map((i) => i.stage)).toEqual([1, 1, 1, 2, 2, 3]);
    expect(await db.image.count({ where: { projectId, status: 'ready' } })).toBe(6);
    expect(await db.image.count({ where: { projectId, split: 'val' } })).toBe(1);
    const [s1, s2, s3] = report.rows as [SimulationRow, SimulationRow, SimulationRow];

    // the retrain round: a succeeded retrain registered a candidate fine-tuned from the built-in model,
    // evaluate scored it; what is active afterwards is what stage 2 used
    expect(report.retrains).toHaveLength(1);
    const retrain = report.retrains[0]!;
    expect(retrain.error).toBeNull();
    const retrainRun = await db.run.findUniqueOrThrow({ where: { id: retrain.retrainRunId! } });
    expect(retrainRun.status).toBe('succeeded');
    // a 2-step fine-tune warms up for 1 step (min(50, a tenth of the steps)), not the trainer's 250
    expect((retrainRun.result as { warmup?: number }).warmup).toBe(1);
    expect((await db.run.findUniqueOrThrow({ where: { id: retrain.evaluateRunId! } })).status).toBe('succeeded');
    const candidate = await db.checkpoint.findUniqueOrThrow({ where: { id: retrain.candidate!.id } });
    expect(candidate.projectId).toBe(projectId);
    expect(candidate.parentId).toBe(report.startedWith.id);
    const active = (await db.checkpoint.findFirst({ where: { status: 'active', projectId } })) ?? (await db.checkpoint.findFirstOrThrow({ where: { status: 'active', projectId: null } }));
    expect(retrain.activeAfter.id).toBe(active.id);
    expect(retrain.promoted).toBe(active.id === candidate.id);
    expect(s1.checkpoints.map((c) => c.id)).toEqual([report.startedWith.id]);
    expect(s2.checkpoints.map((c) => c.id)).toContain(active.id);

    // every image of stages 1 and 2 was leased and submitted exactly once; the counters say the same
    for (const [stage, row] of [['assisted_manual', s1], ['semi_automatic', s2]] as const) {
      expect(await db.task.count({ where: { projectId, stage, status: 'submitted' } })).toBe(row.images);
      expect(await db.task.count({ where: { projectId, stage, status: { not: 'submitted' } } })).toBe(0);
    }

    // the masks in the database are the table's masks, with its clicks and times
    const live = await db.mask.findMany({ where: { projectId, deletedAt: null }, orderBy: { id: 'asc' } });
    const byStage = (stage: string, provenance?: string) => live.filter((m) => m.stage === stage && (!provenance || m.provenance === provenance));
    expect(byStage('assisted_manual')).toHaveLength(s1.masks);
    expect(byStage('semi_automatic')).toHaveLength(s2.masks);
    expect(byStage('fully_automatic', 'auto')).toHaveLength(s3.masks);
    expect(s1.masks).toBeGreaterThan(0);
    expect(report.masks).toHaveLength(s1.masks + s2.masks);
    const recorded = new Map(report.masks.map((m) => [m.maskId, m]));
    for (const m of [...byStage('assisted_manual'), ...byStage('semi_automatic')]) {
      const r = recorded.get(m.id.toString());
      expect(r, `mask ${m.id} is in the report`).toBeDefined();
      expect([m.clicks, m.activeMs, m.provenance]).toEqual([r!.clicks, r!.activeMs, r!.provenance]);
      if (m.provenance === 'manual') {
        expect(m.clicks).toBeGreaterThanOrEqual(1);
        // time = clicks + touch-up; a touch-up takes a stroke per corrected region and only raises the IoU
        expect(m.activeMs).toBe(Math.round(modelledMaskSeconds(report.options.time, m.clicks) * 1000) + r!.touchUpMs);
        expect(r!.touchUpMs > 0).toBe(r!.strokes > 0);
        expect(r!.iou).toBeGreaterThanOrEqual(r!.modelIou);
      }
      expect(m.clicks).toBeLessThanOrEqual(4);
    }
    for (const [stage, row] of [['assisted_manual', s1], ['semi_automatic', s2]] as const) {
      const clicked = byStage(stage, 'manual');
      const clicks = clicked.reduce((s, m) => s + m.clicks, 0);
      expect(row.clicks).toBe(clicks);
      expect(row.clicksPerMask).toBeCloseTo(clicks / clicked.length, 12);
      expect(row.secondsPerMask).toBeCloseTo(clicked.reduce((s, m) => s + m.activeMs, 0) / 1000 / clicked.length, 9);
      const counter = await db.stageCounter.findUniqueOrThrow({ where: { projectId_stage: { projectId, stage } } });
      expect(counter.imagesDone).toBe(row.images);
      expect(counter.masksManual + counter.masksPrefill).toBe(row.masks);
      expect(Number(counter.clicksTotal)).toBe(clicks);
      expect(Number(counter.activeMsTotal)).toBe(clicked.reduce((sum, m) => sum + m.activeMs, 0));
    }
    expect(s2.prefill!.deleted).toBe(await db.mask.count({ where: { projectId, provenance: 'prefill', deletedAt: { not: null } } }));

    // mIoU against the ground truth, regenerated from the seed
    const size = { width: report.options.width, height: report.options.height };
    const gt = new Map(report.images.map((im) => [im.imageId, groundTruthObjects(generateSimulationScene(report.options.seed, im.index, size), report.options.minObjectArea)]));
    const iouOf = (m: (typeof live)[number]) => {
      const instanceId = m.clientKey ? Number(/obj-(\d+)$/.exec(m.clientKey)![1]) : recorded.get(m.id.toString())!.instanceId;
      const object = gt.get(m.imageId)!.find((o) => o.instanceId === instanceId)!;
      return rleIou({ size: [m.rleHeight, m.rleWidth], counts: m.rleCounts }, object.rle);
    };
    expect(s1.miou).toBeCloseTo(mean(byStage('assisted_manual').map(iouOf)), 9);
    // every saved manual mask reached the touch-up IoU, whatever the model's mask was
    const manual = [...byStage('assisted_manual', 'manual'), ...byStage('semi_automatic', 'manual')];
    expect(Math.min(...manual.map(iouOf))).toBeGreaterThanOrEqual(report.options.touchUpIou!);
    expect(report.options.touchUpIou).toBe(0.97);
    expect(s1.modelMiou).toBeCloseTo(mean(report.masks.filter((m) => m.stage === 1).map((m) => m.modelIou)), 12);
    expect(s1.modelMiou!).toBeLessThan(s1.miou!);
    expect(s2.miou).toBeCloseTo(mean(byStage('semi_automatic').map(iouOf)), 9);
    const stage3 = report.images.filter((im) => im.stage === 3).flatMap((im) => {
      const auto = byStage('fully_automatic', 'auto').filter((m) => m.imageId === im.imageId);
      return gt.get(im.imageId)!.map((o) => Math.max(0, ...auto.map((m) => rleIou({ size: [m.rleHeight, m.rleWidth], counts: m.rleCounts }, o.rle))));
    });
    expect(s3.objects).toBe(stage3.length);
    expect(s3.miou).toBeCloseTo(mean(stage3), 9);

    // the printed table carries the same numbers
    const line = run.stdout.split('\n').find((l) => l.startsWith('1 assisted-manual r1'))!;
    expect(line.split(/\s{2,}/).slice(1, 10)).toEqual([
      String(s1.images),
      String(s1.masks),
      s1.masksPerImage.toFixed(1),
      s1.clicksPerMask!.toFixed(2),
      s1.strokesPerMask!.toFixed(2),
      s1.secondsPerMask!.toFixed(1),
      s1.touchUpSecondsPerMask!.toFixed(1),
      s1.modelMiou!.toFixed(3),
      s1.miou!.toFixed(3),
    ]);
    expect(run.stdout).toMatch(/^2 semi-automatic /m);
    expect(run.stdout).toMatch(/^3 fully automatic /m);
    expect(run.stdout).toMatch(/↳ retrain after 3 images: candidate /);

    // the never-uploaded held-out scenes: the starting checkpoint's score is the round's column, and
    // the checkpoint active after the retrain was scored too (once per checkpoint)
    expect(report.heldOut[0]!.checkpoint.id).toBe(report.startedWith.id);
    expect(report.heldOut[0]!.images).toBe(2);
    expect(s1.heldOutMiou1).toBe(report.heldOut[0]!.miou1);
    expect(retrain.heldOutAfter).toBe(report.heldOut.find((h) => h.checkpoint.id === retrain.activeAfter.id)!.miou1);
    expect(retrain.heldOutCandidate).toBe(report.heldOut.find((h) => h.checkpoint.id === retrain.candidate!.id)!.miou1);
    expect(line.split(/\s{2,}/)[11]).toBe(s1.heldOutMiou1!.toFixed(3));
    expect(run.stdout).toMatch(/^loop: held-out mIoU@1 \d\.\d{3} \(.+\) → \d\.\d{3} \(.+\), [+-]\d\.\d{3} over 1 retrain\(s\)$/m);
  }, 150_000);

  it('fails with one line when Redis, PostgreSQL or a checkpoint is missing', async () => {
    const noRedis = await cli(['--images', '2', '--stages', '1'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr.trim()).toMatch(/^dataengine: Redis is not reachable at 127\.0\.0\.1:1 \(.*\); start it .* or set REDIS_URL$/);
    const noPg = await cli(['--images', '2', '--stages', '1'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/dataengine' });
    expect(noPg.code).toBe(1);
    expect(noPg.stderr.trim()).toMatch(/^dataengine: PostgreSQL is not reachable at 127\.0\.0\.1:1 \(.*\); start it .* or set DATABASE_URL$/);
    const bare = await createTestEnv();
    try {
      const noModel = await cli(['--images', '2', '--stages', '1'], { DATABASE_SCHEMA: bare.schema, DEFAULT_MODEL_DIR: path.join(tmp, 'no-such-bundle') });
      expect(noModel.code).toBe(1);
      const errors = noModel.stderr.split('\n').filter((l) => l.startsWith('dataengine:'));
      expect(errors).toEqual([`dataengine: no checkpoint is active and there is no built-in bundle at ${path.join(tmp, 'no-such-bundle')}; register one (ops console) or set DEFAULT_MODEL_DIR`]);
      expect(await bare.deps.db.project.count()).toBe(0);
    } finally {
      await bare.close();
    }
    const usage = await cli(['--stages', '4']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^dataengine: --stages takes a list of 1, 2 and 3/);
    const tooFew = await cli(['--images', '2']);
    expect(tooFew.code).toBe(2);
    expect(tooFew.stderr).toMatch(/^dataengine: stage 3 gets no images with 2 images and these fractions; add images or change the fractions\n/);
  }, 90_000);
});
