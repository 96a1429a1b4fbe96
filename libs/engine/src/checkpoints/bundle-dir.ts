// A checkpoint bundle as a local directory, for onnxruntime (it opens files by path). The local
// store's files already form one (<BLOB_DIR>/checkpoints/<hash>/…). A remote store (S3) downloads
// each file into its local cache, which keeps a bundle's files side by side (<cache>/<key>), so a
// worker on any host assembles the bundle from the store alone, never from another host's disk.
// The files of a bundle handed out stay pinned in the cache (onnxruntime loads sessions lazily)
// until `releaseBundle` — the worker releases bundles no longer active after a promotion.
import path from 'node:path';
import { AppError } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';

const pins = new Map<string, () => void>();

export async function bundleLocalDir(deps: Pick<EngineDeps, 'blobs'>, bundleKey: string): Promise<string> {
  const keys = (await deps.blobs.list(bundleKey)).filter((key) => key.startsWith(`${bundleKey}/`));
  if (!keys.includes(`${bundleKey}/manifest.json`)) throw new AppError('NOT_FOUND', `the checkpoint bundle ${bundleKey} is missing from the blob store (no manifest.json)`);
  if (deps.blobs.pin && !pins.has(bundleKey)) pins.set(bundleKey, deps.blobs.pin(keys));
  const files = await Promise.all(keys.map(async (key) => ({ name: key.slice(bundleKey.length + 1), file: await deps.blobs.localPath(key) })));
  const dir = path.dirname(files.find((f) => f.name === 'manifest.json')!.file);
  const strays = files.filter((f) => f.file !== path.join(dir, f.name));
  if (strays.length) throw new Error(`the blob store's local copies of ${bundleKey} are not side by side (${strays.map((f) => f.file).join(', ')}); onnxruntime needs the bundle as one directory`);
  return dir;
}

/** Lets the local cache evict a bundle again (a later job that needs it downloads and pins it anew). */
export function releaseBundle(bundleKey: string): boolean {
  const release = pins.get(bundleKey);
  if (!release) return false;
  pins.delete(bundleKey);
  release();
  return true;
}

/** The bundles whose local copies are pinned now. */
export function pinnedBundles(): string[] {
  return [...pins.keys()];
}
