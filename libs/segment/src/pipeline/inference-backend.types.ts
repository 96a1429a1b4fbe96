/**
 * What the pipeline needs from a runtime: run one of the bundle's models on float32 feeds.
 * onnxruntime-node (`@dataengine/segment/node`) and onnxruntime-web (`@dataengine/segment/web`)
 * implement it; the pure pipeline never knows which one it talks to.
 */
export type ModelRole = 'encoder' | 'decoder' | 'detector' | InteractiveDecoderRole;

/**
 * Graphs a backend derives from the bundle's `decoder.onnx` for the click → mask loop
 * (`bundle/low-res-decoder.ts`): the per-image prelude, and the per-click graph with and without a
 * mask prompt. They return `iou_predictions` and `low_res_masks` only.
 */
export type InteractiveDecoderRole = 'decoder.prelude' | 'decoder.prompt' | 'decoder.prompt-no-mask';

export const isInteractiveDecoderRole = (role: ModelRole): role is InteractiveDecoderRole => role.startsWith('decoder.');

/** A dense float32 tensor, row-major (C order), as ONNX Runtime lays it out. */
export interface FloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export type TensorFeeds = Readonly<Record<string, FloatTensor>>;

export interface InferenceBackend {
  /** Runs `role`'s model; resolves with every output the caller names (all outputs when omitted). */
  run(role: ModelRole, feeds: TensorFeeds, outputNames?: readonly string[]): Promise<Record<string, FloatTensor>>;
  /** Releases the sessions. The backend is unusable afterwards. */
  dispose(): Promise<void>;
}

export function tensorSize(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
