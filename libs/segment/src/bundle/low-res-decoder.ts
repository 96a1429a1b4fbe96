/**
 * The interactive decoders: graphs derived from the bundle's own `decoder.onnx` (ours or an
 * imported SAM export) for the click → mask loop, so bundles still carry one decoder file.
 *
 * - Outputs cut to `iou_predictions` + `low_res_masks`: the in-graph upscaling of all 4 channels to
 *   `orig_im_size` (SAM-SPEC.md §1.5; a third of the built-in decoder's time) is dropped with the
 *   `orig_im_size` input; the pipeline upscales only the channel it shows (`summarizeLowResChannel`).
 * - Split at the image embedding: the part that depends on the embedding alone (the built-in
 *   model's 256→64 projection: a third of its multiply-adds) becomes the `prelude`, run once per
 *   image; its outputs are fed to the `prompt` graph with the prompts on every click.
 * - A `promptNoMask` graph with `mask_input` = 0 and `has_mask_input` = 0 bound as constants, so
 *   onnxruntime folds the mask-prompt branch away for the first click on an object.
 *
 * Works on the protobuf wire format: weights are copied as byte ranges, never decoded.
 */
import { concatBytes, firstString, lengthDelimited, varintBytes, wireFields, wireString, type WireField } from './protobuf-wire';

export const LOW_RES_DECODER_OUTPUTS = ['iou_predictions', 'low_res_masks'] as const;
export const IMAGE_EMBEDDING_INPUT = 'image_embeddings';
const MASK_INPUTS = ['mask_input', 'has_mask_input'] as const;
/** Name of the prelude's output when the prompt graph reads the embedding itself. */
const PASSED_EMBEDDING = 'image_embeddings/prelude';

// ModelProto.graph; GraphProto, NodeProto, AttributeProto, ValueInfoProto, TensorProto fields
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13, sparseInitializer: 15 } as const;
const NODE = { input: 1, output: 2, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { g: 6, graphs: 11 } as const;
const VALUE_INFO_NAME = 1;
const TENSOR_NAME = 8;
const SPARSE_VALUES = 1;
const FLOAT = 1;

/** Ops whose outputs are not float tensors: the prelude never ends on one. */
const NON_FLOAT_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'Cast', 'IsNaN', 'IsInf', 'TopK']);

interface NodeInfo {
  field: WireField;
  op: string;
  inputs: string[];
  outputs: string[];
}

interface ParsedGraph {
  model: Uint8Array;
  graphField: WireField;
  nodes: NodeInfo[];
  initializers: Map<string, WireField>;
  inputs: Map<string, WireField>;
  outputs: Map<string, WireField>;
  valueInfo: Map<string, WireField>;
  /** Other graph fields (name, doc string, sparse initializers…), copied as they are. */
  other: WireField[];
}

/** Every value name a subgraph reads (a conservative stand-in for its outer-scope references). */
function subgraphReads(buf: Uint8Array, from: number, to: number, into: string[]): void {
  for (const g of wireFields(buf, from, to)) {
    if (g.field !== GRAPH.node || g.wire !== 2) continue;
    for (const n of wireFields(buf, g.from, g.to)) {
      if (n.field === NODE.input && n.wire === 2) into.push(wireString(buf, n));
      if (n.field === NODE.attribute && n.wire === 2) attributeReads(buf, n, into);
    }
  }
}

function attributeReads(buf: Uint8Array, attr: WireField, into: string[]): void {
  for (const a of wireFields(buf, attr.from, attr.to)) {
    if ((a.field === ATTRIBUTE.g || a.field === ATTRIBUTE.graphs) && a.wire === 2) subgraphReads(buf, a.from, a.to, into);
  }
}

function readNode(buf: Uint8Array, field: WireField): NodeInfo {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let op = '';
  for (const f of wireFields(buf, field.from, field.to)) {
    if (f.wire !== 2) continue;
    if (f.field === NODE.input) inputs.push(wireString(buf, f));
    else if (f.field === NODE.output) outputs.push(wireString(buf, f));
    else if (f.field === NODE.opType) op = wireString(buf, f);
    else if (f.field === NODE.attribute) attributeReads(buf, f, inputs);
  }
  return { field, op, inputs: inputs.filter((i) => i !== ''), outputs };
}

function parseGraph(model: Uint8Array): ParsedGraph {
  let graphField: WireField | null = null;
  for (const f of wireFields(model)) if (f.field === MODEL_GRAPH && f.wire === 2) graphField = f;
  if (!graphField) throw new Error('no graph in the file (not an ONNX model?)');
  const g: ParsedGraph = { model, graphField, nodes: [], initializers: new Map(), inputs: new Map(), outputs: new Map(), valueInfo: new Map(), other: [] };
  const named = (f: WireField, field: number): string => firstString(model, f.from, f.to, field) ?? '';
  for (const f of wireFields(model, graphField.from, graphField.to)) {
    if (f.wire !== 2) g.other.push(f);
    else if (f.field === GRAPH.node) g.nodes.push(readNode(model, f));
    else if (f.field === GRAPH.initializer) g.initializers.set(named(f, TENSOR_NAME), f);
    else if (f.field === GRAPH.input) g.inputs.set(named(f, VALUE_INFO_NAME), f);
    else if (f.field === GRAPH.output) g.outputs.set(named(f, VALUE_INFO_NAME), f);
    else if (f.field === GRAPH.valueInfo) g.valueInfo.set(named(f, VALUE_INFO_NAME), f);
    else g.other.push(f);
  }
  // initializers may also be listed as inputs (IR < 4): those are not runtime inputs
  for (const name of g.initializers.keys()) g.inputs.delete(name);
  return g;
}

/** What a new graph is made of; bytes are either copied fields or newly encoded ones. */
interface GraphParts {
  nodes: Uint8Array[];
  initializers: Uint8Array[];
  inputs: Uint8Array[];
  outputs: Uint8Array[];
  valueInfo: Uint8Array[];
}

function assemble(g: ParsedGraph, parts: GraphParts, keepSparse: (name: string) => boolean): Uint8Array {
  const { model } = g;
  const field = (f: WireField): Uint8Array => model.subarray(f.start, f.to);
  const other: Uint8Array[] = [];
  for (const f of g.other) {
    if (f.wire === 2 && f.field === GRAPH.sparseInitializer) {
      const values = [...wireFields(model, f.from, f.to)].find((v) => v.field === SPARSE_VALUES && v.wire === 2);
      if (!values || !keepSparse(firstString(model, values.from, values.to, TENSOR_NAME) ?? '')) continue;
    }
    other.push(field(f));
  }
  const graph = lengthDelimited(MODEL_GRAPH, concatBytes([...parts.nodes, ...other, ...parts.initializers, ...parts.inputs, ...parts.outputs, ...parts.valueInfo]));
  const chunks: Uint8Array[] = [];
  for (const f of wireFields(model)) chunks.push(f.field === MODEL_GRAPH && f.wire === 2 ? graph : field(f));
  return concatBytes(chunks);
}

/** Nodes needed for `targets` (nodes are topologically sorted, as ONNX requires). */
function neededNodes(nodes: readonly NodeInfo[], targets: Iterable<string>, stopAt: ReadonlySet<string> = new Set()): { kept: Set<NodeInfo>; needed: Set<string> } {
  const needed = new Set<string>(targets);
  const kept = new Set<NodeInfo>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (!node.outputs.some((o) => needed.has(o) && !stopAt.has(o))) continue;
    kept.add(node);
    for (const input of node.inputs) needed.add(input);
  }
  return { kept, needed };
}

const stringField = (field: number, s: string): Uint8Array => lengthDelimited(field, new TextEncoder().encode(s));


/** ValueInfoProto of a float tensor of unknown shape. */
function floatValueInfo(field: number, name: string): Uint8Array {
  const tensorType = Uint8Array.from([8, FLOAT]); // TypeProto.Tensor.elem_type = FLOAT
  const typeProto = lengthDelimited(1, tensorType); // TypeProto.tensor_type
  return lengthDelimited(field, concatBytes([stringField(VALUE_INFO_NAME, name), lengthDelimited(2, typeProto)]));
}

/** NodeProto `op(inputs) → outputs`. */
function nodeBytes(op: string, inputs: string[], outputs: string[], name: string): Uint8Array {
  return lengthDelimited(GRAPH.node, concatBytes([...inputs.map((i) => stringField(NODE.input, i)), ...outputs.map((o) => stringField(NODE.output, o)), stringField(3, name), stringField(NODE.opType, op)]));
}

/** TensorProto initializer: float32 zeros of `dims`. */
function zerosInitializer(name: string, dims: number[]): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const dimBytes = Uint8Array.from(dims.flatMap((d) => [8, ...varintBytes(d)])); // dims (field 1, varint)
  return lengthDelimited(GRAPH.initializer, concatBytes([dimBytes, Uint8Array.from([16, FLOAT]), stringField(TENSOR_NAME, name), lengthDelimited(9, new Uint8Array(size * 4))]));
}

/** Static dims of a graph input (null when any dim is symbolic or unknown). */
function staticDims(model: Uint8Array, vi: WireField): number[] | null {
  const sub = (f: WireField, field: number): WireField | undefined => [...wireFields(model, f.from, f.to)].find((x) => x.field === field && x.wire === 2);
  const type = sub(vi, 2);
  const tensor = type && sub(type, 1);
  const shape = tensor && sub(tensor, 2);
  if (!shape) return null;
  const dims: number[] = [];
  for (const d of wireFields(model, shape.from, shape.to)) {
    if (d.field !== 1 || d.wire !== 2) continue;
    const value = [...wireFields(model, d.from, d.to)].find((x) => x.field === 1 && x.wire === 0);
    if (!value) return null;
    dims.push(value.value);
  }
  return dims;
}

/** `keep` outputs of an ONNX model and the nodes, inputs and weights they need; everything else dropped. */
export function pruneOnnxOutputs(model: Uint8Array, keep: readonly string[]): Uint8Array {
  const g = parseGraph(model);
  const missing = keep.filter((name) => !g.outputs.has(name));
  if (missing.length > 0) throw new Error(`the model has no output ${missing.map((m) => `"${m}"`).join(', ')} (outputs: ${[...g.outputs.keys()].join(', ')})`);
  const { kept, needed } = neededNodes(g.nodes, keep);
  return assemble(g, graphParts(g, kept, needed, keep), (name) => needed.has(name));
}

function graphParts(g: ParsedGraph, kept: Set<NodeInfo>, needed: Set<string>, outputs: readonly string[]): GraphParts {
  const field = (f: WireField): Uint8Array => g.model.subarray(f.start, f.to);
  const produced = new Set<string>();
  for (const node of kept) for (const o of node.outputs) produced.add(o);
  return {
    nodes: g.nodes.filter((n) => kept.has(n)).map((n) => field(n.field)),
    initializers: [...g.initializers].filter(([name]) => needed.has(name)).map(([, f]) => field(f)),
    inputs: [...g.inputs].filter(([name]) => needed.has(name)).map(([, f]) => field(f)),
    outputs: outputs.map((name) => field(g.outputs.get(name)!)),
    valueInfo: [...g.valueInfo].filter(([name]) => produced.has(name)).map(([, f]) => field(f)),
  };
}

export interface InteractiveDecoderModels {
  /** image_embeddings → the embedding-only tensors (run once per image). */
  prelude: Uint8Array;
  /** The prelude's outputs + point_coords, point_labels, mask_input, has_mask_input → iou_predictions, low_res_masks. */
  prompt: Uint8Array;
  /** As `prompt` without mask_input / has_mask_input (bound to 0). */
  promptNoMask: Uint8Array;
  /** Names of the prelude's outputs (the prompt graphs' extra inputs). */
  preludeOutputs: string[];
}

/** Derives the interactive decoder graphs from a contract `decoder.onnx` (see the file comment). */
export function interactiveDecoderModels(decoder: Uint8Array): InteractiveDecoderModels {
  const g = parseGraph(pruneOnnxOutputs(decoder, LOW_RES_DECODER_OUTPUTS));
  if (!g.inputs.has(IMAGE_EMBEDDING_INPUT)) throw new Error(`the decoder has no "${IMAGE_EMBEDDING_INPUT}" input`);

  // each value: depends on the embedding only, on a prompt input, or on constants only
  const imageOnly = new Set<string>([IMAGE_EMBEDDING_INPUT]);
  const promptDependent = new Set<string>([...g.inputs.keys()].filter((n) => n !== IMAGE_EMBEDDING_INPUT));
  for (const node of g.nodes) {
    const set = node.inputs.some((i) => promptDependent.has(i)) ? promptDependent : node.inputs.some((i) => imageOnly.has(i)) ? imageOnly : null;
    if (set) for (const o of node.outputs) set.add(o);
  }
  const producer = new Map<string, NodeInfo>();
  for (const node of g.nodes) for (const o of node.outputs) producer.set(o, node);
  let frontier = new Set<string>();
  for (const node of g.nodes) {
    if (!node.outputs.some((o) => promptDependent.has(o))) continue;
    for (const i of node.inputs) if (imageOnly.has(i)) frontier.add(i);
  }
  // a frontier that is not plainly a float tensor: keep everything in the prompt graph
  if ([...frontier].some((t) => NON_FLOAT_OPS.has(producer.get(t)?.op ?? ''))) frontier = new Set([IMAGE_EMBEDDING_INPUT]);

  const passesEmbedding = frontier.has(IMAGE_EMBEDDING_INPUT);
  const preludeOutputs = [...frontier].map((t) => (t === IMAGE_EMBEDDING_INPUT ? PASSED_EMBEDDING : t));

  // prelude: the embedding-only nodes behind the frontier (+ an Identity when the embedding itself crosses)
  const pre = neededNodes(g.nodes, [...frontier].filter((t) => t !== IMAGE_EMBEDDING_INPUT));
  const preParts = graphParts(g, pre.kept, new Set([...pre.needed, IMAGE_EMBEDDING_INPUT]), []);
  preParts.inputs = [g.model.subarray(g.inputs.get(IMAGE_EMBEDDING_INPUT)!.start, g.inputs.get(IMAGE_EMBEDDING_INPUT)!.to)];
  if (passesEmbedding) preParts.nodes.push(nodeBytes('Identity', [IMAGE_EMBEDDING_INPUT], [PASSED_EMBEDDING], 'prelude/pass_embedding'));
  preParts.outputs = preludeOutputs.map((name) => floatValueInfo(GRAPH.output, name));
  const prelude = assemble(g, preParts, (name) => pre.needed.has(name));

  // prompt graph: everything after the frontier; frontier tensors become inputs
  const post = neededNodes(g.nodes, LOW_RES_DECODER_OUTPUTS, frontier);
  const postParts = graphParts(g, post.kept, post.needed, LOW_RES_DECODER_OUTPUTS);
  const promptInputs: [string, Uint8Array][] = [
    ...[...g.inputs].filter(([name]) => name !== IMAGE_EMBEDDING_INPUT && post.needed.has(name)).map(([name, f]): [string, Uint8Array] => [name, g.model.subarray(f.start, f.to)]),
    ...preludeOutputs.map((name): [string, Uint8Array] => [name, floatValueInfo(GRAPH.input, name)]),
  ];
  postParts.inputs = promptInputs.map(([, bytes]) => bytes);
  if (passesEmbedding) postParts.nodes.unshift(nodeBytes('Identity', [PASSED_EMBEDDING], [IMAGE_EMBEDDING_INPUT], 'prompt/take_embedding'));
  const prompt = assemble(g, postParts, (name) => post.needed.has(name));

  // no-mask variant: mask_input and has_mask_input become zero constants that onnxruntime folds
  const bound: Uint8Array[] = [];
  for (const name of MASK_INPUTS) {
    const vi = g.inputs.get(name);
    if (!vi) continue;
    const dims = staticDims(g.model, vi);
    if (!dims) throw new Error(`decoder input "${name}" has no static shape; cannot bind it to zeros`);
    bound.push(zerosInitializer(name, dims));
  }
  const noMaskParts: GraphParts = { ...postParts, initializers: [...postParts.initializers, ...bound] };
  noMaskParts.inputs = promptInputs.filter(([name]) => !(MASK_INPUTS as readonly string[]).includes(name)).map(([, bytes]) => bytes);
  const promptNoMask = assemble(g, noMaskParts, (name) => post.needed.has(name));
  return { prelude, prompt, promptNoMask, preludeOutputs };
}
