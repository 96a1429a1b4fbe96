// `dataengine checkpoint import --sam-checkpoint FILE --model-type vit_b|vit_l|vit_h --out DIR`: an
// official SAM `.pth` becomes a bundle through the trainer (`python3 -m dataengine_trainer import-sam`,
// trainer/README.md), run as a subprocess with the same helper the retrain loop uses. The bundle is then
// checked with the validator that registration uses.
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { spawnTrainer } from '@dataengine/engine';
import { validateBundle } from '@dataengine/segment/node';
import { CliError, EXIT, type CliIo } from '../cli-command.types';
import { loadCliConfig } from '../cli-config';

/** The official model types (segment-anything build_sam.py), SAM-SPEC.md §10. */
export const SAM_MODEL_TYPES = ['vit_b', 'vit_l', 'vit_h'] as const;
export type SamModelType = (typeof SAM_MODEL_TYPES)[number];

export interface ImportSamCheckpointOptions {
  checkpoint: string;
  modelType: string;
  out: string;
  name?: string;
}

interface ImportDone {
  files?: Record<string, number>;
  parameters?: number;
  official_tensors?: number;
  elapsed_s?: number;
}

function describeProgress(event: Record<string, unknown>): string {
  if (event['phase'] === 'reading') return `reading ${String(event['checkpoint'])}`;
  if (event['phase'] === 'exporting') return `loaded ${String(event['parameters'])} parameters into ${String(event['arch'])}; writing model.pt, encoder.onnx, decoder.onnx`;
  return String(event['phase']);
}

export async function importSamCheckpoint(options: ImportSamCheckpointOptions, io: CliIo, usage: string): Promise<number> {
  if (!(SAM_MODEL_TYPES as readonly string[]).includes(options.modelType)) {
    throw new CliError(`unknown --model-type "${options.modelType}"; use ${SAM_MODEL_TYPES.join(', ')} (the official checkpoint's type)\nusage: ${usage}`, EXIT.usage);
  }
  const at = (p: string): string => resolve(io.cwd, p);
  const out = at(options.out);
  const entries = await readdir(out).catch(() => null);
  if (entries && entries.length > 0) throw new CliError(`${out} already exists and is not empty; bundles are immutable, choose a new directory`);
  const config = loadCliConfig();
  const args = ['--checkpoint', at(options.checkpoint), '--model-type', options.modelType, '--out', out, '--threads', String(config.TRAINER_THREADS)];
  if (options.name) args.push('--name', options.name);
  const seen: { done: ImportDone | null } = { done: null };
  const trainer = spawnTrainer(config, 'import-sam', args, (event) => {
    if (event.event === 'import_progress') io.stderr(`checkpoint import: ${describeProgress(event)}\n`);
    if (event.event === 'import_done') seen.done = event as ImportDone;
  });
  const exit = await trainer.done;
  const result = seen.done;
  if (exit.error !== null || result === null) throw new CliError(`cannot import ${options.checkpoint}: ${exit.error ?? 'the trainer ended without a result'}`);
  const bundle = await validateBundle(out);
  const report = {
    imported: bundle.dir,
    from: at(options.checkpoint),
    model_type: options.modelType,
    parameters: result.parameters,
    official_tensors: result.official_tensors,
    files: result.files,
    seconds: result.elapsed_s,
    untrained: 'the box detector: the bundle has no detector.onnx, so stage-2 prefill refuses it until a retrain trains the head',
    manifest: bundle.manifest,
  };
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return EXIT.ok;
}
