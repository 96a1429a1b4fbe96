import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertPrompt, maskAnnotation, SINGLE_MASK_RULES, type BoxXyxy, type SamPoint, type SamPrompt, type SingleMaskRule } from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import { parseCliArgs, parseNumberList, parsePositiveInt } from '../cli-args';
import { CliError, EXIT, type CliCommand, type CliIo } from '../cli-command.types';
import { DEFAULT_MAX_PIXELS, loadRgbImage } from '../load-image';
import { DEFAULT_CHECKPOINT_DIR } from '../repo-paths';

const USAGE =
  'dataengine segment --image FILE [--point x,y[,label]]… [--box x0,y0,x1,y1] [--multimask | --single-mask export|predictor] [--checkpoint DIR] [--threads N] [--device cpu|cuda] [--max-pixels N]';

/** The checkpoint to use: --checkpoint, else the built-in models/default (with a clear message while it does not exist). */
export async function resolveCheckpoint(dir: string | undefined, io: CliIo): Promise<string> {
  if (dir !== undefined) return resolve(io.cwd, dir);
  const builtIn = io.defaultCheckpointDir ?? DEFAULT_CHECKPOINT_DIR;
  const hasDefault = await access(join(builtIn, 'manifest.json')).then(() => true, () => false);
  if (!hasDefault) throw new CliError(`no built-in model yet at ${builtIn === DEFAULT_CHECKPOINT_DIR ? 'models/default' : builtIn}; pass --checkpoint DIR`);
  return builtIn;
}

function parsePrompt(points: string[], box: string | undefined): SamPrompt {
  const parsed: SamPoint[] = points.map((p) => {
    const [x, y, label = 1] = parseNumberList(p, 'point', [2, 3]);
    if (label !== 0 && label !== 1) throw new CliError(`malformed point "${p}": label must be 1 (positive) or 0 (negative)`, EXIT.usage);
    return { x: x!, y: y!, label };
  });
  const prompt: SamPrompt = { points: parsed };
  if (box !== undefined) {
    const [x0, y0, x1, y1] = parseNumberList(box, 'box', [4]) as [number, number, number, number];
    if (x1 <= x0 || y1 <= y0) throw new CliError(`malformed box "${box}": need x0 < x1 and y0 < y1`, EXIT.usage);
    prompt.box = [x0, y0, x1, y1] satisfies BoxXyxy;
  }
  if (parsed.length === 0 && box === undefined) throw new CliError(`give at least one --point or a --box\nusage: ${USAGE}`, EXIT.usage);
  return prompt;
}

export const segmentCommand: CliCommand = {
  name: 'segment',
  summary: 'segment one object from clicks and/or a box; prints SA-1B-style records as JSON',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        image: { type: 'string' },
        point: { type: 'string', multiple: true },
        box: { type: 'string' },
        multimask: { type: 'boolean' },
        'single-mask': { type: 'string' },
        checkpoint: { type: 'string' },
        threads: { type: 'string' },
        device: { type: 'string' },
        'max-pixels': { type: 'string' },
      },
      USAGE,
    );
    if (!values.image) throw new CliError(`--image is required\nusage: ${USAGE}`, EXIT.usage);
    if (values.device !== undefined && values.device !== 'cpu' && values.device !== 'cuda') throw new CliError(`--device must be cpu or cuda, got "${values.device}"`, EXIT.usage);
    const singleMask = values['single-mask'];
    if (singleMask !== undefined && !(SINGLE_MASK_RULES as readonly string[]).includes(singleMask)) {
      throw new CliError(`--single-mask must be export (the ONNX export's rule: best of the three candidates for one click or a box alone, else channel 0) or predictor (channel 0, as SamPredictor.predict(multimask_output=False)); got "${singleMask}"`, EXIT.usage);
    }
    if (singleMask !== undefined && values.multimask) throw new CliError(`--single-mask chooses one mask; it cannot go with --multimask (the three candidates)\nusage: ${USAGE}`, EXIT.usage);
    const prompt = parsePrompt(values.point ?? [], values.box);
    const threads = parsePositiveInt(values.threads, '--threads');
    const maxPixels = parsePositiveInt(values['max-pixels'], '--max-pixels') ?? DEFAULT_MAX_PIXELS;
    const imagePath = resolve(io.cwd, values.image);
    const checkpoint = await resolveCheckpoint(values.checkpoint, io);

    const image = await loadRgbImage(imagePath, maxPixels);
    assertPrompt(prompt, image.width, image.height); // before the (expensive) encoder
    const { predictor } = await openBundle(checkpoint, { executionProvider: values.device === 'cuda' ? 'cuda' : 'cpu', ...(threads ? { intraOpNumThreads: threads } : {}), log: (line) => io.stderr(`${line}\n`) });
    const embedding = await predictor.embedImage(image);
    const { masks } = await predictor.decode(embedding, prompt, { multimask: values.multimask ?? false, ...(singleMask ? { singleMaskRule: singleMask as SingleMaskRule } : {}) });
    const clicks = (prompt.points ?? []).map((p): [number, number] => [p.x, p.y]);
    const record = {
      image: { file_name: values.image, width: image.width, height: image.height },
      annotations: masks.map((m, i) => maskAnnotation(i, m, clicks)),
    };
    io.stdout(`${JSON.stringify(record)}\n`);
    return EXIT.ok;
  },
};
