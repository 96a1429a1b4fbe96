import { DT, encodeModel, floatTensor, int64Tensor, node, type GraphSpec } from './onnx-builder';

/**
 * Contract fixtures (SAM-SPEC.md §8): tiny ONNX graphs with the EXACT official I/O names, shapes and
 * dtypes (§1.2–1.3), whose outputs are known functions of the inputs.
 *
 * Decoder, for every channel k (with s = S / max(H, W) and p0 the FIRST prompt point, S-frame):
 *   masks[k, y, x]      = R_k − ‖(x·s, y·s) − p0‖ + has_mask_input · mean(mask_input)
 *   low_res[k, v, u]    = R_k − ‖(4u + 1.5, 4v + 1.5) − p0‖ + has_mask_input · mean(mask_input)
 *   iou_predictions     = CONTRACT_IOU (channel 0 highest, so the §1.4 rule is observable)
 * i.e. a disc of radius R_k / s original pixels around the first point, grown by the mask prompt.
 * Encoder: embedding[c] = AveragePool16(input_image[c mod 3]) + c / 256.
 */
export const CONTRACT_RADII = [60, 20, 40, 80] as const;
export const CONTRACT_IOU = [0.99, 0.6, 0.9, 0.75] as const;

export interface ContractOptions {
  imageSize?: number;
  /** Decoder input names to replace (to build wrong variants). */
  rename?: Record<string, string>;
  /** dtype of `point_coords` (int64 builds the "wrong dtype" variant). */
  coordsDtype?: 'float32' | 'int64';
  /** Embedding grid side the encoder produces (64 for SAM; another value = wrong shape variant). */
  embeddingSide?: number;
  /**
   * The decoder declares `image_embeddings` (the contract holds) but no output reads it, so the
   * interactive decoder cannot be derived from it (`bundle/low-res-decoder.ts` needs the input).
   */
  embeddingUnused?: boolean;
}

/** Reference value of the contract decoder's `masks` logit (for assertions). */
export function contractLogit(channel: number, x: number, y: number, p0: readonly [number, number], height: number, width: number, maskOffset = 0, imageSize = 1024): number {
  const s = Math.fround(imageSize / Math.max(height, width));
  return CONTRACT_RADII[channel]! - Math.hypot(x * s - p0[0], y * s - p0[1]) + maskOffset;
}

export function buildContractDecoder(options: ContractOptions = {}): Uint8Array {
  const S = options.imageSize ?? 1024;
  const E = S / 16;
  const name = (n: string): string => options.rename?.[n] ?? n;
  const coordsInt = options.coordsDtype === 'int64';
  const coords = coordsInt ? 'coords_f' : name('point_coords');
  const nodes = [
    ...(coordsInt ? [node('Cast', [name('point_coords')], ['coords_f'], { to: DT.float32 })] : []),
    node('Gather', [name('orig_im_size'), 'i0'], ['H']),
    node('Gather', [name('orig_im_size'), 'i1'], ['W']),
    node('Max', ['H', 'W'], ['maxHW']),
    node('Div', ['S', 'maxHW'], ['s']),
    node('Slice', [coords, 'p_starts', 'p_ends'], ['p0_3d']),
    node('Reshape', ['p0_3d', 'shape2'], ['p0']),
    node('Gather', ['p0', 'i0'], ['px']),
    node('Gather', ['p0', 'i1'], ['py']),
    // full-resolution grid, in the S frame
    node('Range', ['zero', 'W', 'one'], ['xs']),
    node('Range', ['zero', 'H', 'one'], ['ys']),
    node('Mul', ['xs', 's'], ['xs_s']),
    node('Mul', ['ys', 's'], ['ys_s']),
    node('Sub', ['xs_s', 'px'], ['dx']),
    node('Sub', ['ys_s', 'py'], ['dy']),
    node('Mul', ['dx', 'dx'], ['dx2']),
    node('Mul', ['dy', 'dy'], ['dy2']),
    node('Reshape', ['dx2', 'row_shape'], ['dx2r']),
    node('Reshape', ['dy2', 'col_shape'], ['dy2r']),
    node('Add', ['dx2r', 'dy2r'], ['d2']),
    node('Sqrt', ['d2'], ['d']),
    node('Sub', ['radii', 'd'], ['disc']),
    // mask prompt: + has_mask_input · mean(mask_input)
    node('ReduceMean', [name('mask_input')], ['mask_mean'], { keepdims: 0 }),
    node('Mul', [name('has_mask_input'), 'mask_mean'], ['offset']),
    node('Add', ['disc', 'offset'], ['masks']),
    // low-res grid: centres of 4×4 blocks of the S frame
    node('Mul', ['lr_idx', 'four'], ['lr4']),
    node('Add', ['lr4', 'half3'], ['lrc']),
    node('Sub', ['lrc', 'px'], ['ldx']),
    node('Sub', ['lrc', 'py'], ['ldy']),
    node('Mul', ['ldx', 'ldx'], ['ldx2']),
    node('Mul', ['ldy', 'ldy'], ['ldy2']),
    node('Reshape', ['ldx2', 'row_shape'], ['ldx2r']),
    node('Reshape', ['ldy2', 'col_shape'], ['ldy2r']),
    node('Add', ['ldx2r', 'ldy2r'], ['ld2']),
    node('Sqrt', ['ld2'], ['ld']),
    node('Sub', ['radii', 'ld'], ['ldisc']),
    node('Add', ['ldisc', 'offset'], ['low_res_masks']),
    // iou: constant per channel; a zero-weighted use of the labels and the embedding keeps every input live
    node('ReduceSum', [name('point_labels')], ['label_sum'], { keepdims: 0 }),
    ...(options.embeddingUnused
      ? [node('Identity', ['label_sum'], ['live'])]
      : [node('ReduceMean', [name('image_embeddings')], ['emb_mean'], { keepdims: 0 }), node('Add', ['label_sum', 'emb_mean'], ['live'])]),
    node('Mul', ['live', 'zero'], ['live0']),
    node('Add', ['iou_base', 'live0'], ['iou_predictions']),
  ];
  const LR = S / 4;
  const spec: GraphSpec = {
    name: 'sam_contract_decoder',
    inputs: [
      { name: name('image_embeddings'), dims: [1, 256, E, E] },
      { name: name('point_coords'), dims: [1, 'num_points', 2], dtype: coordsInt ? DT.int64 : DT.float32 },
      { name: name('point_labels'), dims: [1, 'num_points'] },
      { name: name('mask_input'), dims: [1, 1, LR, LR] },
      { name: name('has_mask_input'), dims: [1] },
      { name: name('orig_im_size'), dims: [2] },
    ],
    outputs: [
      { name: 'masks', dims: [1, 4, 'mask_height', 'mask_width'] },
      { name: 'iou_predictions', dims: [1, 4] },
      { name: 'low_res_masks', dims: [1, 4, LR, LR] },
    ],
    nodes,
    initializers: [
      int64Tensor('i0', [], [0]),
      int64Tensor('i1', [], [1]),
      int64Tensor('p_starts', [3], [0, 0, 0]),
      int64Tensor('p_ends', [3], [1, 1, 2]),
      int64Tensor('shape2', [1], [2]),
      int64Tensor('row_shape', [4], [1, 1, 1, -1]),
      int64Tensor('col_shape', [4], [1, 1, -1, 1]),
      floatTensor('S', [], [S]),
      floatTensor('zero', [], [0]),
      floatTensor('one', [], [1]),
      floatTensor('four', [], [4]),
      floatTensor('half3', [], [1.5]),
      floatTensor('lr_idx', [LR], Array.from({ length: LR }, (_, i) => i)),
      floatTensor('radii', [1, 4, 1, 1], CONTRACT_RADII),
      floatTensor('iou_base', [1, 4], CONTRACT_IOU),
    ],
  };
  return encodeModel(spec);
}

/** `input_image [1,3,S,S]` → AveragePool 16 → 1×1 Conv (channel c copies colour c mod 3, bias c/256) → `image_embeddings`. */
export function buildContractEncoder(options: ContractOptions = {}): Uint8Array {
  const S = options.imageSize ?? 1024;
  const side = options.embeddingSide ?? S / 16;
  const k = S / side;
  const weights = new Float32Array(256 * 3);
  for (let c = 0; c < 256; c++) weights[c * 3 + (c % 3)] = 1;
  const input = options.rename?.input_image ?? 'input_image';
  return encodeModel({
    name: 'sam_contract_encoder',
    inputs: [{ name: input, dims: [1, 3, S, S] }],
    outputs: [{ name: 'image_embeddings', dims: [1, 256, side, side] }],
    nodes: [node('AveragePool', [input], ['pooled'], { kernel_shape: [k, k], strides: [k, k] }), node('Conv', ['pooled', 'w', 'b'], ['image_embeddings'])],
    initializers: [floatTensor('w', [256, 3, 1, 1], weights), floatTensor('b', [256], Array.from({ length: 256 }, (_, c) => c / 256))],
  });
}

/**
 * The contract encoder with its Conv weight stored as ONNX external data (as ViT-H exports store
 * theirs, SAM-SPEC.md §2.4): write `model` and, beside it, `weights` under the name `location`.
 */
export function buildContractEncoderExternal(location: string): { model: Uint8Array; weights: Uint8Array } {
  const weights = new Float32Array(256 * 3);
  for (let c = 0; c < 256; c++) weights[c * 3 + (c % 3)] = 1;
  const bytes = new Uint8Array(weights.buffer);
  const model = encodeModel({
    name: 'sam_contract_encoder_external',
    inputs: [{ name: 'input_image', dims: [1, 3, 1024, 1024] }],
    outputs: [{ name: 'image_embeddings', dims: [1, 256, 64, 64] }],
    nodes: [node('AveragePool', ['input_image'], ['pooled'], { kernel_shape: [16, 16], strides: [16, 16] }), node('Conv', ['pooled', 'w', 'b'], ['image_embeddings'])],
    initializers: [
      {
        name: 'w',
        dims: [256, 3, 1, 1],
        dataType: DT.float32,
        dataLocation: 1, // EXTERNAL
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: '0' },
          { key: 'length', value: String(bytes.length) },
        ],
      } as unknown as ReturnType<typeof floatTensor>,
      floatTensor('b', [256], Array.from({ length: 256 }, (_, c) => c / 256)),
    ],
  });
  return { model, weights: bytes };
}

/**
 * Detector head on the embedding: objectness = mean over channels (a logit), boxes = constant
 * ltrb distances of 8 S-frame pixels from every cell centre.
 */
export function buildContractDetector(): Uint8Array {
  return encodeModel({
    name: 'contract_detector',
    inputs: [{ name: 'image_embeddings', dims: [1, 256, 64, 64] }],
    outputs: [
      { name: 'objectness', dims: [1, 1, 64, 64] },
      { name: 'boxes', dims: [1, 4, 64, 64] },
    ],
    nodes: [node('ReduceMean', ['image_embeddings'], ['objectness'], { axes: [1], keepdims: 1 }), node('Conv', ['image_embeddings', 'dw', 'db'], ['boxes'])],
    initializers: [floatTensor('dw', [4, 256, 1, 1], new Float32Array(4 * 256)), floatTensor('db', [4], [8, 8, 8, 8])],
  });
}
