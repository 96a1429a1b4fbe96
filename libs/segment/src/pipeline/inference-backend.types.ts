/**
 * What the pipeline needs from a runtime: run one of the bundle's models on float32 feeds.
 * onnxruntime-node (`@dataengine/segment/node`) and onnxruntime-web (`@dataengine/segment/web`)
 * implement it; the pure pipeline never knows which one it talks to.
 */
export type ModelRole = 'encoder' | 'decoder' | 'detector';

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
