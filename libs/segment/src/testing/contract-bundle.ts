import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_FILES, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type BundleManifestInput } from '../bundle/bundle-manifest.schema';
import { buildContractDecoder, buildContractDetector, buildContractEncoder } from './contract-models';

/**
 * Bundles for tests: `valid` (encoder + decoder), `with-detector`, `decoder-ignores-embedding`
 * (contract-valid, but no decoder output reads `image_embeddings`, so only the contract decoder
 * can run it), and deliberately wrong ones:
 * - `decoder-input-name`: the decoder's `point_coords` is called `coords`;
 * - `decoder-coords-int64`: `point_coords` is int64;
 * - `encoder-embedding-shape`: the encoder emits `[1, 256, 32, 32]`;
 * - `missing-decoder`: no decoder.onnx.
 */
export type ContractBundleVariant = 'valid' | 'with-detector' | 'decoder-ignores-embedding' | 'decoder-input-name' | 'decoder-coords-int64' | 'encoder-embedding-shape' | 'missing-decoder';

export function contractManifest(overrides: Partial<BundleManifestInput> = {}): BundleManifestInput {
  return {
    format: BUNDLE_FORMAT,
    format_version: BUNDLE_FORMAT_VERSION,
    name: 'contract-fixture',
    model_type: 'contract',
    lineage: { parent: null, snapshot_id: null, metrics: {}, created: '2026-01-01T00:00:00Z' },
    ...overrides,
  };
}

/** Writes a contract bundle into `dir` (replacing what is there) and returns `dir`. */
export async function writeContractBundle(dir: string, variant: ContractBundleVariant = 'valid'): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const encoder = buildContractEncoder(variant === 'encoder-embedding-shape' ? { embeddingSide: 32 } : {});
  const decoder =
    variant === 'decoder-input-name'
      ? buildContractDecoder({ rename: { point_coords: 'coords' } })
      : variant === 'decoder-coords-int64'
        ? buildContractDecoder({ coordsDtype: 'int64' })
        : buildContractDecoder({ embeddingUnused: variant === 'decoder-ignores-embedding' });
  await writeFile(join(dir, BUNDLE_FILES.encoder), encoder);
  if (variant !== 'missing-decoder') await writeFile(join(dir, BUNDLE_FILES.decoder), decoder);
  const detector = variant === 'with-detector';
  if (detector) await writeFile(join(dir, BUNDLE_FILES.detector), buildContractDetector());
  const manifest = contractManifest(detector ? { detector: { input: 'image_embeddings', box_format: 'ltrb', score: 'logit' } } : {});
  await writeFile(join(dir, BUNDLE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
