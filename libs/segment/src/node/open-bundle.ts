import { resolve } from 'node:path';
import { pipelineConfigFromManifest, type BundleManifest } from '../bundle/bundle-manifest.schema';
import { SamPredictor } from '../pipeline/sam-predictor';
import { OrtNodeBackend, type NodeRuntimeOptions } from './ort-node-backend';
import { validateBundle, type ValidatedBundle } from './validate-bundle';

export interface OpenBundle {
  bundle: ValidatedBundle;
  manifest: BundleManifest;
  backend: OrtNodeBackend;
  predictor: SamPredictor;
}

// One validated bundle + backend per (directory, runtime options); sessions inside load lazily.
const cache = new Map<string, Promise<OpenBundle>>();

const cacheKey = (dir: string, o: NodeRuntimeOptions): string => `${resolve(dir)}|${o.executionProvider ?? 'cpu'}|${o.intraOpNumThreads ?? ''}|${o.promptIntraOpNumThreads ?? ''}`;

/**
 * Validates a bundle once and returns its cached predictor (onnxruntime-node). Throws BundleError
 * when invalid. `options.log` (one-time notices: CUDA fallback, contract-decoder fallback) is the
 * first opener's for the cached bundle.
 */
export function openBundle(dir: string, options: NodeRuntimeOptions = {}): Promise<OpenBundle> {
  const key = cacheKey(dir, options);
  let open = cache.get(key);
  if (!open) {
    open = (async () => {
      const bundle = await validateBundle(dir);
      const backend = new OrtNodeBackend({ encoder: bundle.files.encoder, decoder: bundle.files.decoder, ...(bundle.files.detector ? { detector: bundle.files.detector } : {}) }, options);
      return { bundle, manifest: bundle.manifest, backend, predictor: new SamPredictor(backend, pipelineConfigFromManifest(bundle.manifest), options.log ? { log: options.log } : {}) };
    })();
    open.catch(() => cache.delete(key));
    cache.set(key, open);
  }
  return open;
}

/** Releases every cached bundle's sessions (process shutdown, tests). */
export async function closeAllBundles(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map((p) => p.then((b) => b.backend.dispose(), () => undefined)));
}
