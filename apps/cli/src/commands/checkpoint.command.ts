import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BUNDLE_FILES } from '@dataengine/segment';
import { importSamExport, inspectBundle } from '@dataengine/segment/node';
import { parseCliArgs } from '../cli-args';
import { CliError, EXIT, type CliCommand, type CliIo } from '../cli-command.types';
import { importSamCheckpoint } from './import-sam-checkpoint';

const USAGE = [
  'dataengine checkpoint import --encoder FILE --decoder FILE [--detector FILE] --preset sam --out DIR [--name NAME]',
  'dataengine checkpoint import --sam-checkpoint FILE.pth --model-type vit_b|vit_l|vit_h --out DIR [--name NAME]',
  'dataengine checkpoint validate DIR',
  'dataengine checkpoint info DIR',
].join('\n       ');

async function runImport(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(
    args,
    {
      encoder: { type: 'string' },
      decoder: { type: 'string' },
      detector: { type: 'string' },
      preset: { type: 'string' },
      'sam-checkpoint': { type: 'string' },
      'model-type': { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
    },
    USAGE,
  );
  if (values['sam-checkpoint'] !== undefined || values['model-type'] !== undefined) {
    const onnxFlags = (['encoder', 'decoder', 'detector', 'preset'] as const).filter((f) => values[f] !== undefined);
    if (onnxFlags.length > 0) throw new CliError(`--sam-checkpoint imports official PyTorch weights, ${onnxFlags.map((f) => `--${f}`).join(' ')} an ONNX export: give one or the other\nusage: ${USAGE}`, EXIT.usage);
    for (const flag of ['sam-checkpoint', 'model-type', 'out'] as const) {
      if (!values[flag]) throw new CliError(`--${flag} is required\nusage: ${USAGE}`, EXIT.usage);
    }
    return importSamCheckpoint({ checkpoint: values['sam-checkpoint']!, modelType: values['model-type']!, out: values.out!, ...(values.name ? { name: values.name } : {}) }, io, USAGE);
  }
  for (const flag of ['encoder', 'decoder', 'preset', 'out'] as const) {
    if (!values[flag]) throw new CliError(`--${flag} is required\nusage: ${USAGE}`, EXIT.usage);
  }
  if (values.preset !== 'sam') throw new CliError(`unknown --preset "${values.preset}"; the only preset is "sam"`, EXIT.usage);
  const at = (p: string): string => resolve(io.cwd, p);
  const bundle = await importSamExport({
    encoder: at(values.encoder!),
    decoder: at(values.decoder!),
    ...(values.detector ? { detector: at(values.detector) } : {}),
    preset: 'sam',
    out: at(values.out!),
    ...(values.name ? { name: values.name } : {}),
  });
  io.stdout(`${JSON.stringify({ imported: bundle.dir, manifest: bundle.manifest }, null, 2)}\n`);
  return EXIT.ok;
}

async function runValidate(args: string[], io: CliIo): Promise<number> {
  const dir = onePositional(args, 'validate');
  const report = await inspectBundle(resolve(io.cwd, dir));
  if (report.problems.length > 0) {
    io.stderr(`dataengine: ${dir} is not a valid checkpoint bundle:\n${report.problems.map((p) => `  - ${p}\n`).join('')}`);
    return EXIT.failure;
  }
  io.stdout(`${dir}: valid checkpoint bundle "${report.manifest!.name}"\n`);
  return EXIT.ok;
}

async function runInfo(args: string[], io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, onePositional(args, 'info'));
  const report = await inspectBundle(dir);
  const models: Record<string, unknown> = {};
  for (const [role, summary] of Object.entries(report.models)) {
    const file = BUNDLE_FILES[role as 'encoder' | 'decoder' | 'detector'];
    const bytes = await stat(join(dir, file)).then((s) => s.size, () => null);
    models[role] = { file, bytes, opset: summary.opset, inputs: summary.inputs, outputs: summary.outputs, external_data: summary.externalData };
  }
  io.stdout(`${JSON.stringify({ dir, valid: report.problems.length === 0, manifest: report.manifest, models, problems: report.problems }, null, 2)}\n`);
  return report.problems.length === 0 ? EXIT.ok : EXIT.failure;
}

function onePositional(args: string[], sub: string): string {
  const { positionals } = parseCliArgs(args, {}, USAGE);
  if (positionals.length !== 1) throw new CliError(`checkpoint ${sub} takes one bundle directory\nusage: ${USAGE}`, EXIT.usage);
  return positionals[0]!;
}

const SUBCOMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = { import: runImport, validate: runValidate, info: runInfo };

export const checkpointCommand: CliCommand = {
  name: 'checkpoint',
  summary: 'import a SAM checkpoint (.pth) or ONNX export as a bundle, validate a bundle, show a bundle',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const handler = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!handler) throw new CliError(`${sub === undefined ? 'missing' : `unknown`} checkpoint subcommand${sub ? ` "${sub}"` : ''}\nusage: ${USAGE}`, EXIT.usage);
    return handler(rest, io);
  },
};
