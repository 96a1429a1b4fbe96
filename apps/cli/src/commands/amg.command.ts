import { constants } from 'node:fs';
import { access, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import sharp from 'sharp';
import { buildSa1bImageJson, decodeRle, PredictorAmgModel, rleFromString, SamAutomaticMaskGenerator, type AmgModel, type AmgRecord, type CompressedRle, type RgbImage, type Sa1bImageJson } from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import { parseCliArgs, parsePositiveInt } from '../cli-args';
import { CliError, EXIT, type CliCommand, type CliIo } from '../cli-command.types';
import { DEFAULT_MAX_PIXELS, loadRgbImage } from '../load-image';
import { renderMaskOverlay } from '../mask-overlay';
import { AMG_FLAG_OPTIONS, AMG_FLAGS, amgOptionsFromFlags, parseOutputMode, parsePreset, type AmgCliOutputMode } from './amg-flags';
import { resolveCheckpoint } from './segment.command';

const USAGE = [
  'dataengine amg --image FILE [--preset sam-default|sa1b]',
  `  ${Object.keys(AMG_FLAGS).map((f) => `[--${f} N]`).join(' ')}`,
  '  [--output-mode coco_rle|uncompressed_rle] [--image-id N] [--out FILE] [--overlay FILE.png] [--checkpoint DIR] [--threads N] [--device cpu|cuda] [--max-pixels N] [--quiet]',
  '  --overlay: a PNG of the image with every generated mask drawn on it (a colour each, largest first)',
].join('\n');

/** SA-1B names images `sa_<id>.jpg`: reuse that id, else 1. */
function imageIdFor(path: string, flag: number | undefined): number {
  if (flag !== undefined) return flag;
  const m = /^sa_(\d+)\./.exec(basename(path));
  return m ? Number(m[1]) : 1;
}

/** Reports decoding progress on stderr (about every 10 % of a crop's points). */
function withProgress<H>(model: AmgModel<H>, io: CliIo, pointsPerCrop: (layer: number) => number): AmgModel<H> {
  let done = 0;
  let total = 1;
  let nextReport = 0;
  let label = '';
  return {
    embedCrop(crop, context) {
      done = 0;
      total = pointsPerCrop(context.layer);
      nextReport = total / 10;
      label = `crop [${context.cropBox.join(', ')}] (layer ${context.layer})`;
      io.stderr(`amg: ${label}: encoding ${crop.width}×${crop.height}\n`);
      return model.embedCrop(crop, context);
    },
    async predictMultimask(handle, points) {
      const out = await model.predictMultimask(handle, points);
      done += points.length;
      if (done >= nextReport || done === total) {
        io.stderr(`amg: ${label}: ${done}/${total} points decoded\n`);
        nextReport = done + total / 10;
      }
      return out;
    },
    release: (handle) => model.release(handle),
    ...(model.maxPointsPerCall !== undefined ? { maxPointsPerCall: model.maxPointsPerCall } : {}), // keep the model's zero-copy batching
  };
}

/** Writes `data` to `path` through a temporary file, so readers never see half a file. */
async function writeAtomically(path: string, data: string | Uint8Array, flag: string, given: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new CliError(`cannot write ${flag} ${given}: ${(error as Error).message}`);
  }
}

/** Fails before the (long) generation, not after it, when `path`'s directory is not writable. */
async function assertWritable(path: string, flag: string, given: string): Promise<void> {
  await access(dirname(path), constants.W_OK).catch((error: Error) => {
    throw new CliError(`cannot write ${flag} ${given}: ${error.message}`);
  });
}

/** The masks over the image as PNG bytes (`mask-overlay.ts`). */
async function overlayPng(image: RgbImage, records: readonly AmgRecord<CompressedRle>[]): Promise<Uint8Array> {
  const rgb = renderMaskOverlay(image, records.map((r) => decodeRle(r.segmentation)));
  return sharp(rgb, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
}

function withSegmentationMode(json: Sa1bImageJson, mode: AmgCliOutputMode): unknown {
  if (mode === 'coco_rle') return json;
  return { ...json, annotations: json.annotations.map((a) => ({ ...a, segmentation: { size: a.segmentation.size, counts: rleFromString(a.segmentation.counts) } })) };
}

export const amgCommand: CliCommand = {
  name: 'amg',
  summary: 'automatic mask generation (SamAutomaticMaskGenerator); writes an SA-1B per-image JSON',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        image: { type: 'string' },
        preset: { type: 'string' },
        ...AMG_FLAG_OPTIONS,
        'output-mode': { type: 'string' },
        'image-id': { type: 'string' },
        out: { type: 'string' },
        overlay: { type: 'string' },
        checkpoint: { type: 'string' },
        threads: { type: 'string' },
        device: { type: 'string' },
        'max-pixels': { type: 'string' },
        quiet: { type: 'boolean' },
      },
      USAGE,
    );
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`, EXIT.usage);
    if (!values.image) throw new CliError(`--image is required\nusage: ${USAGE}`, EXIT.usage);
    if (values.device !== undefined && values.device !== 'cpu' && values.device !== 'cuda') throw new CliError(`--device must be cpu or cuda, got "${values.device}"`, EXIT.usage);
    const options = amgOptionsFromFlags(values, parsePreset(values.preset));
    const outputMode = parseOutputMode(values['output-mode']);
    const threads = parsePositiveInt(values.threads, '--threads');
    const maxPixels = parsePositiveInt(values['max-pixels'], '--max-pixels') ?? DEFAULT_MAX_PIXELS;
    const imageId = imageIdFor(values.image, parsePositiveInt(values['image-id'], '--image-id'));
    const checkpoint = await resolveCheckpoint(values.checkpoint, io);
    const out = values.out === undefined ? undefined : resolve(io.cwd, values.out);
    if (out !== undefined) await assertWritable(out, '--out', values.out!);
    const overlay = values.overlay === undefined ? undefined : resolve(io.cwd, values.overlay);
    if (overlay !== undefined) await assertWritable(overlay, '--overlay', values.overlay!);

    const image = await loadRgbImage(resolve(io.cwd, values.image), maxPixels);
    const { predictor } = await openBundle(checkpoint, { executionProvider: values.device === 'cuda' ? 'cuda' : 'cpu', ...(threads ? { intraOpNumThreads: threads } : {}), log: (line) => io.stderr(`${line}\n`) });
    const points = (layer: number): number => (options.pointGrids ? options.pointGrids[layer]!.length : Math.trunc(options.pointsPerSide! / options.cropNPointsDownscaleFactor ** layer) ** 2);
    const model = new PredictorAmgModel(predictor);
    const generator = new SamAutomaticMaskGenerator(values.quiet ? model : withProgress(model, io, points), options);
    const { records, stats } = await generator.generateWithStats(image);
    const json = buildSa1bImageJson({ imageId, width: image.width, height: image.height, fileName: basename(values.image) }, records);
    const text = `${JSON.stringify(withSegmentationMode(json, outputMode))}\n`;
    if (out !== undefined) await writeAtomically(out, text, '--out', values.out!);
    else io.stdout(text);
    // the generator's outputMode is coco_rle (amgOptionsFromFlags)
    if (overlay !== undefined) await writeAtomically(overlay, await overlayPng(image, records as AmgRecord<CompressedRle>[]), '--overlay', values.overlay!);
    if (!values.quiet) {
      io.stderr(
        `amg: ${records.length} masks from ${stats.points} points in ${stats.crops} crop(s), ${(stats.totalMs / 1000).toFixed(1)} s ` +
          `(encoder ${(model.timings.embedMs / 1000).toFixed(1)} s, decoder ${(model.timings.decodeMs / 1000).toFixed(1)} s)${values.out ? ` → ${values.out}` : ''}${values.overlay ? `, overlay → ${values.overlay}` : ''}\n`,
      );
    }
    return EXIT.ok;
  },
};
