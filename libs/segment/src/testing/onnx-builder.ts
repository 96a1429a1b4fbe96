import pkg from 'onnx-proto';

const { onnx } = pkg;

/** Tiny ONNX graph-building helpers over onnx-proto (test fixtures only). */
export const DT = { float32: 1, int64: 7 } as const;
type Dim = number | string;
type Attr = number | number[] | string;

export interface GraphSpec {
  name: string;
  inputs: { name: string; dtype?: number; dims: Dim[] }[];
  outputs: { name: string; dtype?: number; dims: Dim[] }[];
  nodes: ReturnType<typeof node>[];
  initializers: ReturnType<typeof floatTensor | typeof int64Tensor>[];
}

export function valueInfo(name: string, dims: Dim[], elemType: number = DT.float32) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>) {
  const data = Float32Array.from(values);
  return { name, dims, dataType: DT.float32, rawData: new Uint8Array(data.buffer) };
}

export function int64Tensor(name: string, dims: number[], values: number[]) {
  return { name, dims, dataType: DT.int64, int64Data: values };
}

let counter = 0;
export function node(opType: string, input: string[], output: string[], attrs: Record<string, Attr> = {}) {
  const attribute = Object.entries(attrs).map(([name, v]) => {
    if (typeof v === 'string') return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
    return Number.isInteger(v) ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v } : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v };
  });
  return { opType, input, output, attribute, name: `${opType}_${counter++}` };
}

/** Serialises a graph as an opset-17 model (IR 8), the opset of the official SAM export. */
export function encodeModel(spec: GraphSpec, opset = 17): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'dataengine-contract-fixture',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: spec.name,
      node: spec.nodes,
      initializer: spec.initializers,
      input: spec.inputs.map((i) => valueInfo(i.name, i.dims, i.dtype)),
      output: spec.outputs.map((o) => valueInfo(o.name, o.dims, o.dtype)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
