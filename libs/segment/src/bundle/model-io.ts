import type { BundleManifest } from './bundle-manifest.schema';
import { BUNDLE_FILES } from './bundle-manifest.schema';

/** ONNX element type names as onnxruntime spells them (TensorProto.DataType). */
export type OnnxDType = string;

/** A graph input/output as declared in the file: symbolic dims are strings, unknown dims null; null dims = unknown rank. */
export interface TensorInfo {
  name: string;
  dtype: OnnxDType;
  dims: (number | string | null)[] | null;
}

export interface ModelIo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** Expected tensor: a number is a static dim that must match; a string names a dim that must be dynamic. */
export interface TensorSpec {
  name: string;
  dtype: OnnxDType;
  dims: (number | string)[];
}

export interface ModelIoSpec {
  file: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

const f32 = (name: string, dims: (number | string)[]): TensorSpec => ({ name, dtype: 'float32', dims });

/** The encoder, decoder (official SAM export, SAM-SPEC.md §1.2–1.3) and detector contracts a manifest implies. */
export function expectedModelIo(m: BundleManifest): { encoder: ModelIoSpec; decoder: ModelIoSpec; detector: ModelIoSpec | null } {
  const S = m.image_size;
  const emb = [1, ...m.embedding_shape];
  const L = m.low_res_size;
  const C = m.mask_channels;
  return {
    encoder: { file: BUNDLE_FILES.encoder, inputs: [f32(m.encoder.input, [1, 3, S, S])], outputs: [f32(m.encoder.output, emb)] },
    decoder: {
      file: BUNDLE_FILES.decoder,
      inputs: [
        f32('image_embeddings', emb),
        f32('point_coords', [1, 'N', 2]),
        f32('point_labels', [1, 'N']),
        f32('mask_input', [1, 1, L, L]),
        f32('has_mask_input', [1]),
        f32('orig_im_size', [2]),
      ],
      outputs: [f32('masks', [1, C, 'H', 'W']), f32('iou_predictions', [1, C]), f32('low_res_masks', [1, C, L, L])],
    },
    detector: m.detector
      ? {
          file: BUNDLE_FILES.detector,
          inputs: [f32(m.detector.input, emb)],
          outputs: [f32('objectness', [...m.detector.outputs.objectness]), f32('boxes', [...m.detector.outputs.boxes])],
        }
      : null,
  };
}

export const formatSpec = (t: { dtype: string; dims: (number | string | null)[] | null }): string =>
  `${t.dtype} ${t.dims === null ? '[?]' : `[${t.dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`}`;

function dimsMatch(expected: (number | string)[], found: (number | string | null)[] | null): boolean {
  if (found === null) return true; // rank unknown in the file: runtime will tell
  if (found.length !== expected.length) return false;
  return expected.every((e, i) => {
    const f = found[i];
    if (typeof e === 'string') return typeof f !== 'number'; // must stay dynamic
    return typeof f !== 'number' || f === e; // a dynamic dim accepts the static value we feed
  });
}

/**
 * Every mismatch between a model's declared I/O and the contract, one line each, naming the file,
 * the tensor and the expectation, e.g.
 * `decoder.onnx: input "point_coords" expected float32 [1, N, 2], found int64 [1, N, 2]`.
 * Extra inputs are errors (the pipeline cannot feed them); extra outputs are ignored.
 */
export function checkModelIo(spec: ModelIoSpec, found: ModelIo): string[] {
  const problems: string[] = [];
  const check = (kind: 'input' | 'output', specs: TensorSpec[], declared: TensorInfo[]): void => {
    const byName = new Map(declared.map((t) => [t.name, t]));
    for (const s of specs) {
      const t = byName.get(s.name);
      if (!t) {
        problems.push(`${spec.file}: ${kind} "${s.name}" is missing (expected ${formatSpec(s)}); the model's ${kind}s are ${declared.map((d) => `"${d.name}"`).join(', ') || 'none'}`);
      } else if (t.dtype !== s.dtype || !dimsMatch(s.dims, t.dims)) {
        problems.push(`${spec.file}: ${kind} "${s.name}" expected ${formatSpec(s)}, found ${formatSpec(t)}`);
      }
    }
    if (kind === 'input') {
      const known = new Set(specs.map((s) => s.name));
      for (const t of declared) {
        if (!known.has(t.name)) problems.push(`${spec.file}: unexpected input "${t.name}" (${formatSpec(t)}); the pipeline feeds only ${specs.map((s) => `"${s.name}"`).join(', ')}`);
      }
    }
  };
  check('input', spec.inputs, found.inputs);
  check('output', spec.outputs, found.outputs);
  return problems;
}
