// What a retrain buys per minute on this machine: the built-in model fine-tuned on images of a scene
// family it never saw, in both retrain modes, scored before and after on held-out images of that
// family through the product's own evaluation (libs/segment over onnxruntime, the bundle's graphs).
//
//   fast: the image encoder frozen, the rest trained on the images' embeddings (computed once here,
//         stored by the engine in production); the candidate keeps the parent's encoder.onnx, so a
//         promotion re-embeds nothing.
//   full: every part trained on crops; a promotion re-embeds every image of the project (measured
//         below as encoder ms per image through onnxruntime).
//
//   npm run bench:retrain -- [--scenes studio] [--train 30] [--held-out 20] [--steps 500] [--modes fast,full]
//                            [--lr 3e-4] [--warmup 20] [--seed 7] [--trainer-args "--batch 1 …"] [--json FILE]
//                            [--levels all|whole] [--keep DIR] [--refit-steps N (default: the retrain run's, 500)]
//
//   --levels whole trains on what the loop's annotators save: whole objects ≥ 100 px, no part tree
//   (the engine's retrain snapshot); all (the default) keeps every part and sub-part with its tree.
//   --keep DIR copies each mode's candidate bundle to DIR/<mode> (e.g. to start another mode from it
//   with --model DIR/full).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { retrainRefitSteps } from '@dataengine/contracts';
import { evaluateBundle, type EvalScene } from '@dataengine/segment';
import { closeAllBundles, openBundle } from '@dataengine/segment/node';
import { generateScene, SCENE_VARIANTS, type SceneVariant } from '@dataengine/synth';
import { writeSa1bSnapshot } from '@dataengine/synth/node';

const REPO = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    scenes: { type: 'string', default: 'studio' },
    train: { type: 'string', default: '30' },
    'held-out': { type: 'string', default: '20' },
    steps: { type: 'string', default: '500' },
    modes: { type: 'string', default: 'fast,full' },
    lr: { type: 'string', default: '3e-4' },
    warmup: { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: path.join(REPO, 'models', 'default') },
    json: { type: 'string' },
    levels: { type: 'string', default: 'all' },
    keep: { type: 'string' },
    /** a full retrain's refit phase (trainer --refit-steps): fast steps on the new encoder's embeddings; 0 = none */
    'refit-steps': { type: 'string', default: String(retrainRefitSteps({ mode: 'full' })) },
    /** extra trainer train flags for every mode, e.g. "--batch 1 --masks-per-image 8" */
    'trainer-args': { type: 'string', default: '' },
  },
});
const scenes = values.scenes as SceneVariant;
// the trainer runs in trainer/: a relative bundle path is the caller's
const model = path.resolve(values.model!);
if (!SCENE_VARIANTS.includes(scenes)) throw new Error(`--scenes takes ${SCENE_VARIANTS.join(' or ')}`);
const [trainCount, heldOutCount, steps, seed, refitSteps] = [values.train, values['held-out'], values.steps, values.seed, values['refit-steps']].map(Number) as [number, number, number, number, number];
if (values.levels !== 'all' && values.levels !== 'whole') throw new Error(`--levels takes all or whole, got ${values.levels}`);
const modes = values.modes!.split(',').map((m) => m.trim()) as ('fast' | 'full')[];
const W = 512;
const H = 384;
const MIN_AREA = 100; // the simulator's default: objects an annotator bothers with
const HELD_OUT_SEED = 950_000; // bench:quality's studio seeds: never in a training snapshot here

function heldOutScenes(): EvalScene[] {
  return Array.from({ length: heldOutCount }, (_, i) => {
    const s = generateScene({ seed: HELD_OUT_SEED + i, width: W, height: H, variant: scenes });
    return { id: i, image: { width: W, height: H, channels: 3, data: s.rgb }, objects: s.instances.filter((o) => o.level === 'whole' && o.area >= MIN_AREA).map((o) => ({ mask: o.mask, whole: true })) };
  });
}

async function score(dir: string): Promise<{ miou1: number; miou3: number; objects: number; encoderMs: number }> {
  const open = await openBundle(dir);
  const r = await evaluateBundle(open.predictor, heldOutScenes(), { ks: [1, 3], maxClicks: 3, boxPrompts: false, minObjectArea: MIN_AREA });
  // the encoder alone, per image (what a full retrain's promotion pays for every project image)
  const image = heldOutScenes()[0]!.image;
  const t = performance.now();
  for (let i = 0; i < 3; i++) await open.predictor.embedImage(image);
  return { miou1: r.miouAt[1]!, miou3: r.miouAt[3]!, objects: r.objects, encoderMs: (performance.now() - t) / 3 };
}

function trainer(args: string[], onEvent: (e: Record<string, unknown>) => void = () => undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-m', 'dataengine_trainer', ...args], {
      cwd: path.join(REPO, 'trainer'),
      env: { ...process.env, PYTHONPATH: path.join(REPO, 'trainer'), OPENBLAS_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) onEvent(JSON.parse(line) as Record<string, unknown>);
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`trainer ${args[0]} exited ${code}: ${err.trim().split('\n').pop()}`))));
  });
}

/** Rewrites a snapshot as the engine's retrain snapshot holds the loop's masks: wholes ≥ MIN_AREA, no part tree. */
function keepWholeObjects(dir: string): void {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.tree.json'))) {
    const tree = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { annotations: { id: number; level: string }[] };
    const wholes = new Set(tree.annotations.filter((a) => a.level === 'whole').map((a) => a.id));
    const recordPath = path.join(dir, name.replace('.tree.json', '.json'));
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as { annotations: { id: number; area: number }[] };
    record.annotations = record.annotations.filter((a) => wholes.has(a.id) && a.area >= MIN_AREA);
    writeFileSync(recordPath, JSON.stringify(record));
    rmSync(path.join(dir, name));
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'bench-retrain-'));
try {
  const snapshot = path.join(work, 'snapshot');
  await writeSa1bSnapshot({ dir: snapshot, count: trainCount, seed: seed * 1000, width: W, height: H, valFraction: 0, sceneOptions: { variant: scenes } });
  if (values.levels === 'whole') keepWholeObjects(snapshot);
  console.log(`bench:retrain — built-in model fine-tuned on ${trainCount} ${scenes} scenes (${W}×${H}; ${values.levels === 'whole' ? 'whole objects only, as the loop saves them' : 'every object, part and sub-part'}), scored on ${heldOutCount} held-out ${scenes} scenes (whole objects ≥ ${MIN_AREA} px, the evaluate run's click protocol)`);
  const parent = await score(model);
  console.log(`built-in: mIoU@1 ${parent.miou1.toFixed(3)}, @3 ${parent.miou3.toFixed(3)} on ${parent.objects} objects; encoder ${parent.encoderMs.toFixed(1)} ms/image`);
  const rows: Record<string, unknown>[] = [];
  for (const mode of modes) {
    const out = path.join(work, mode);
    let embedSeconds = 0;
    // seconds of each phase's steps (a full retrain: the full steps, then the refit's)
    const phaseSeconds: Record<string, number> = {};
    const t0 = performance.now();
    const refit = mode === 'full' && refitSteps > 0 ? ['--refit-steps', String(refitSteps)] : [];
    await trainer(
      ['train', '--mode', mode, '--init', model, '--data', snapshot, '--out', out, '--steps', String(steps), ...refit, '--lr', values.lr!, '--warmup', values.warmup!, '--threads', values.threads!, '--seed', String(seed), '--log-every', '50', ...values['trainer-args']!.split(' ').filter(Boolean)],
      (e) => {
        if (e['event'] === 'train_start' && !embedSeconds) embedSeconds = (performance.now() - t0) / 1000; // start-up (and fast mode's embeddings)
        if (e['event'] === 'train_step') {
          const phase = String(e['phase'] ?? mode);
          phaseSeconds[phase] = Number(e['elapsed_s']);
          process.stderr.write(`  ${mode}: ${phase} step ${String(e['step'])}/${String(e['steps'])}\r`);
        }
      },
    );
    const stepsSeconds = Object.values(phaseSeconds).reduce((a, b) => a + b, 0);
    const perStep = (seconds: number, n: number) => `${seconds.toFixed(0)} s (${((1000 * seconds) / n).toFixed(0)} ms/step)`;
    const stepsText =
      phaseSeconds['refit'] !== undefined ? `${steps} full steps ${perStep(phaseSeconds['full'] ?? 0, steps)} + ${refitSteps} refit steps ${perStep(phaseSeconds['refit'], refitSteps)}` : `${steps} steps ${perStep(stepsSeconds, steps)}`;
    const trainSeconds = (performance.now() - t0) / 1000;
    // after the last step the trainer fits the IoU calibration on the training images
    const calibrationSeconds = trainSeconds - embedSeconds - stepsSeconds;
    const bundle = path.join(out, 'bundle');
    const t1 = performance.now();
    await trainer(['export', '--checkpoint', path.join(out, 'checkpoint.pt'), '--out', bundle, '--name', `bench ${mode}`, ...(mode === 'fast' ? ['--encoder-from', model] : [])]);
    const exportSeconds = (performance.now() - t1) / 1000;
    const after = await score(bundle);
    if (values.keep) cpSync(bundle, path.join(values.keep, mode), { recursive: true });
    // a promotion: fast shares every embedding; full runs the encoder once per project image
    const reembedPer1000 = mode === 'fast' ? 0 : after.encoderMs;
    const minutes = (trainSeconds + exportSeconds) / 60;
    const gain = after.miou1 - parent.miou1;
    rows.push({ mode, steps, refitSteps: mode === 'full' ? refitSteps : 0, trainSeconds, stepsSeconds, calibrationSeconds, embedSeconds, exportSeconds, miou1: after.miou1, miou3: after.miou3, gain1: gain, gain3: after.miou3 - parent.miou3, gainPerMinute: gain / minutes, reembedSecondsPer1000Images: reembedPer1000 });
    console.log(
      `${mode.padEnd(4)}: trainer ${trainSeconds.toFixed(0)} s = ${stepsText} + ${phaseSeconds['refit'] !== undefined ? 'refit embeddings and ' : ''}calibration ${calibrationSeconds.toFixed(0)} s + start${mode === 'fast' ? ' and embeddings' : ''} ${embedSeconds.toFixed(1)} s; export ${exportSeconds.toFixed(1)} s; ` +
        `mIoU@1 ${after.miou1.toFixed(3)} (${gain >= 0 ? '+' : ''}${gain.toFixed(3)}), @3 ${after.miou3.toFixed(3)} (${after.miou3 - parent.miou3 >= 0 ? '+' : ''}${(after.miou3 - parent.miou3).toFixed(3)}); ` +
        `${(gain / minutes).toFixed(3)} mIoU@1 per minute; promotion re-embeds ${mode === 'fast' ? 'nothing' : `every image (${reembedPer1000.toFixed(0)} s per 1000 images)`}`,
    );
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ scenes, train: trainCount, heldOut: heldOutCount, parent, rows }, null, 2)}\n`);
} finally {
  await closeAllBundles();
  rmSync(work, { recursive: true, force: true });
}
