import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BUNDLE_FILES, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, bundleManifestSchema, type BundleManifest, type DetectorContract } from '../bundle/bundle-manifest.schema';
import { checkModelIo, expectedModelIo } from '../bundle/model-io';
import { SAM_EMBEDDING_SHAPE, SAM_IMAGE_SIZE, SAM_LOW_RES_SIZE, SAM_PIXEL_MEAN, SAM_PIXEL_STD } from '../pipeline/sam-constants';
import { BundleError } from '../pipeline/segment-errors';
import { readOnnxModelSummary, type OnnxModelSummary } from './read-onnx-io';
import { validateBundle, type ValidatedBundle } from './validate-bundle';

export interface ImportSamExportOptions {
  /** Encoder export taking the normalised, padded `[1,3,1024,1024]` float32 tensor (samexporter without --use-preprocess). */
  encoder: string;
  /** Official `scripts/export_onnx_model.py` decoder (4-mask default, or --return-single-mask). */
  decoder: string;
  detector?: string;
  /** Only the SAM preset exists: 1024, SAM pixel mean/std, 256×64×64 embedding, 256 low-res. */
  preset: 'sam';
  /** Bundle directory to create; must not exist or be empty. */
  out: string;
  name?: string;
  /** Contract of `detector` (default: ltrb boxes, logit objectness). */
  detectorContract?: Partial<DetectorContract>;
  now?: () => Date;
}

const single = (m: OnnxModelSummary, kind: 'inputs' | 'outputs', fallback: string): string => (m[kind].length === 1 ? m[kind][0]!.name : fallback);

/**
 * Turns a SAM ViT-B/L/H ONNX export into a bundle: checks both models against the contract FIRST
 * (errors name the source file), then copies them (with any external-weights files) and writes
 * manifest.json with the SAM preset. Returns the validated bundle.
 */
export async function importSamExport(options: ImportSamExportOptions): Promise<ValidatedBundle> {
  if (options.preset !== 'sam') throw new BundleError(options.out, [`unknown preset "${String(options.preset)}"; the only preset is "sam"`]);
  const out = resolve(options.out);
  const entries = await readdir(out).catch(() => null);
  if (entries && entries.length > 0) throw new BundleError(out, [`${out} already exists and is not empty; bundles are immutable, choose a new directory`]);

  const sources = { encoder: resolve(options.encoder), decoder: resolve(options.decoder), detector: options.detector ? resolve(options.detector) : null };
  const problems: string[] = [];
  const read = async (path: string): Promise<OnnxModelSummary | null> => {
    try {
      return await readOnnxModelSummary(path);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      problems.push(`${path}: ${e.code === 'ENOENT' ? 'file not found' : `not a readable ONNX model (${e.message})`}`);
      return null;
    }
  };
  const enc = await read(sources.encoder);
  const dec = await read(sources.decoder);
  const det = sources.detector ? await read(sources.detector) : null;
  if (problems.length > 0 || !enc || !dec) throw new BundleError(out, problems);

  const iouDims = dec.outputs.find((o) => o.name === 'iou_predictions')?.dims;
  const channels = iouDims?.[1] === 1 ? 1 : 4;
  const manifest: BundleManifest = bundleManifestSchema.parse({
    format: BUNDLE_FORMAT,
    format_version: BUNDLE_FORMAT_VERSION,
    name: options.name ?? basename(out),
    model_type: 'sam',
    image_size: SAM_IMAGE_SIZE,
    pixel_mean: [...SAM_PIXEL_MEAN],
    pixel_std: [...SAM_PIXEL_STD],
    embedding_shape: [...SAM_EMBEDDING_SHAPE],
    low_res_size: SAM_LOW_RES_SIZE,
    mask_channels: channels,
    encoder: { input: single(enc, 'inputs', 'input_image'), output: single(enc, 'outputs', 'image_embeddings') },
    ...(sources.detector ? { detector: { input: 'image_embeddings', box_format: 'ltrb', score: 'logit', ...options.detectorContract } } : {}),
    lineage: { parent: null, snapshot_id: null, metrics: {}, created: (options.now?.() ?? new Date()).toISOString() },
  });
  const specs = expectedModelIo(manifest);
  problems.push(...checkModelIo({ ...specs.encoder, file: sources.encoder }, enc), ...checkModelIo({ ...specs.decoder, file: sources.decoder }, dec));
  if (specs.detector && det && sources.detector) problems.push(...checkModelIo({ ...specs.detector, file: sources.detector }, det));
  if (problems.length > 0) throw new BundleError(out, problems);

  await mkdir(out, { recursive: true });
  try {
    const copy = async (from: string, model: OnnxModelSummary, to: string): Promise<void> => {
      await copyFile(from, join(out, to));
      for (const location of model.externalData) {
        await mkdir(dirname(join(out, location)), { recursive: true });
        await copyFile(join(dirname(from), location), join(out, location));
      }
    };
    await copy(sources.encoder, enc, BUNDLE_FILES.encoder);
    await copy(sources.decoder, dec, BUNDLE_FILES.decoder);
    if (sources.detector && det) await copy(sources.detector, det, BUNDLE_FILES.detector);
    await writeFile(join(out, BUNDLE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    return await validateBundle(out);
  } catch (error) {
    await rm(out, { recursive: true, force: true });
    throw error;
  }
}
