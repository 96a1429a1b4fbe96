import { readFile } from 'node:fs/promises';
import pkg from 'onnx-proto';
import type { ModelIo, TensorInfo } from '../bundle/model-io';
import { wireFields as fields } from '../bundle/protobuf-wire';

const { onnx } = pkg;

/** TensorProto.DataType → the element type name onnxruntime uses. */
const DTYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

export const onnxDTypeName = (code: number): string => DTYPE_NAMES[code] ?? `type#${code}`;

export interface OnnxModelSummary extends ModelIo {
  /** `location` of every initializer stored as external data (files beside the model). */
  externalData: string[];
  opset: number | null;
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'object' && v !== null && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : Number(v));

function tensorInfo(bytes: Uint8Array): TensorInfo {
  const vi = onnx.ValueInfoProto.decode(bytes);
  const tt = vi.type?.tensorType;
  const dims = tt?.shape?.dim
    ? tt.shape.dim.map((d) => {
        const which = (d as { value?: string }).value;
        if (which === 'dimParam' && d.dimParam) return d.dimParam;
        if (which === 'dimValue' && d.dimValue !== null && d.dimValue !== undefined) return toNumber(d.dimValue);
        return null;
      })
    : null;
  return { name: vi.name ?? '', dtype: tt && typeof tt.elemType === 'number' ? onnxDTypeName(tt.elemType) : 'non-tensor', dims };
}

/** Initializer name + external data location, skipping its (possibly huge) payload. */
function initializerInfo(buf: Uint8Array, from: number, to: number): { name: string; location: string | null } {
  let name = '';
  let location: string | null = null;
  for (const f of fields(buf, from, to)) {
    if (f.field === 8 && f.wire === 2) name = new TextDecoder().decode(buf.subarray(f.from, f.to));
    if (f.field === 13 && f.wire === 2) {
      const entry = onnx.StringStringEntryProto.decode(buf.subarray(f.from, f.to));
      if (entry.key === 'location') location = entry.value;
    }
  }
  return { name, location };
}

/** Declared graph inputs (minus initializers) and outputs of an ONNX model, read from its bytes. */
export function summarizeOnnxModel(buf: Uint8Array): OnnxModelSummary {
  let graph: { from: number; to: number } | null = null;
  let opset: number | null = null;
  for (const f of fields(buf)) {
    if (f.field === 7 && f.wire === 2) graph = { from: f.from, to: f.to };
    if (f.field === 8 && f.wire === 2) {
      const op = onnx.OperatorSetIdProto.decode(buf.subarray(f.from, f.to));
      if (!op.domain || op.domain === 'ai.onnx') opset = toNumber(op.version);
    }
  }
  if (!graph) throw new Error('no graph in the file (not an ONNX model?)');
  const inputs: TensorInfo[] = [];
  const outputs: TensorInfo[] = [];
  const initializers = new Set<string>();
  const external = new Set<string>();
  for (const f of fields(buf, graph.from, graph.to)) {
    if (f.wire !== 2) continue;
    if (f.field === 11) inputs.push(tensorInfo(buf.subarray(f.from, f.to)));
    else if (f.field === 12) outputs.push(tensorInfo(buf.subarray(f.from, f.to)));
    else if (f.field === 5) {
      const init = initializerInfo(buf, f.from, f.to);
      initializers.add(init.name);
      if (init.location) external.add(init.location);
    }
  }
  if (outputs.length === 0) throw new Error('the graph declares no outputs (not an ONNX model?)');
  return { inputs: inputs.filter((t) => !initializers.has(t.name)), outputs, externalData: [...external], opset };
}

export async function readOnnxModelSummary(path: string): Promise<OnnxModelSummary> {
  return summarizeOnnxModel(await readFile(path));
}
