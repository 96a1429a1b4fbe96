import { access, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BUNDLE_FILES, manifestProblems, type BundleManifest } from '../bundle/bundle-manifest.schema';
import { checkModelIo, expectedModelIo, type ModelIoSpec } from '../bundle/model-io';
import { BundleError } from '../pipeline/segment-errors';
import { readOnnxModelSummary, type OnnxModelSummary } from './read-onnx-io';

export interface ValidatedBundle {
  dir: string;
  manifest: BundleManifest;
  files: { encoder: string; decoder: string; detector: string | null };
  models: { encoder: OnnxModelSummary; decoder: OnnxModelSummary; detector: OnnxModelSummary | null };
}

export interface BundleReport {
  dir: string;
  manifest: BundleManifest | null;
  models: Partial<Record<'encoder' | 'decoder' | 'detector', OnnxModelSummary>>;
  problems: string[];
}

const exists = (p: string): Promise<boolean> => access(p).then(
  () => true,
  () => false,
);

async function checkModelFile(dir: string, spec: ModelIoSpec, problems: string[]): Promise<OnnxModelSummary | null> {
  const path = join(dir, spec.file);
  if (!(await exists(path))) {
    problems.push(`${spec.file}: file is missing`);
    return null;
  }
  let summary: OnnxModelSummary;
  try {
    summary = await readOnnxModelSummary(path);
  } catch (error) {
    problems.push(`${spec.file}: not a readable ONNX model (${(error as Error).message})`);
    return null;
  }
  for (const location of summary.externalData) {
    if (!(await exists(join(dirname(path), location)))) problems.push(`${spec.file}: external weights file "${location}" is missing`);
  }
  problems.push(...checkModelIo(spec, summary));
  return summary;
}

/** Every problem of a bundle directory (manifest, files, each model's I/O against the contract), without loading a session. */
export async function inspectBundle(dirIn: string): Promise<BundleReport> {
  const dir = resolve(dirIn);
  const report: BundleReport = { dir, manifest: null, models: {}, problems: [] };
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) {
    report.problems.push(`${dirIn}: not a directory`);
    return report;
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, BUNDLE_FILES.manifest), 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    report.problems.push(e.code === 'ENOENT' ? `${BUNDLE_FILES.manifest}: file is missing` : `${BUNDLE_FILES.manifest}: not valid JSON (${e.message})`);
    return report;
  }
  const parsed = manifestProblems(json);
  if (!parsed.manifest) {
    report.problems.push(...parsed.problems);
    return report;
  }
  report.manifest = parsed.manifest;
  const specs = expectedModelIo(parsed.manifest);
  const encoder = await checkModelFile(dir, specs.encoder, report.problems);
  const decoder = await checkModelFile(dir, specs.decoder, report.problems);
  if (encoder) report.models.encoder = encoder;
  if (decoder) report.models.decoder = decoder;
  if (specs.detector) {
    const detector = await checkModelFile(dir, specs.detector, report.problems);
    if (detector) report.models.detector = detector;
  } else if (await exists(join(dir, BUNDLE_FILES.detector))) {
    report.problems.push(`${BUNDLE_FILES.detector}: present but the manifest has no "detector" contract`);
  }
  return report;
}

/** Throws a BundleError listing every problem, or returns the validated bundle. */
export async function validateBundle(dir: string): Promise<ValidatedBundle> {
  const report = await inspectBundle(dir);
  const { manifest, models } = report;
  if (report.problems.length > 0 || !manifest || !models.encoder || !models.decoder) throw new BundleError(dir, report.problems);
  const hasDetector = manifest.detector !== undefined;
  return {
    dir: report.dir,
    manifest,
    files: {
      encoder: join(report.dir, BUNDLE_FILES.encoder),
      decoder: join(report.dir, BUNDLE_FILES.decoder),
      detector: hasDetector ? join(report.dir, BUNDLE_FILES.detector) : null,
    },
    models: { encoder: models.encoder, decoder: models.decoder, detector: models.detector ?? null },
  };
}
