import type { BundleManifest } from '../bundle/bundle-manifest.schema';
import type { RgbImage } from '../pipeline/image-resize';
import type { ModelRole } from '../pipeline/inference-backend.types';
import type { SamPrompt } from '../pipeline/prompt.types';
import type { DecodeOptions, PredictedMask } from '../pipeline/sam-predictor';
import type { ModelSource, WebRuntimeOptions } from './ort-web-backend';

/** An embedding as it crosses the worker boundary (plain data, transferable buffer). */
export interface EmbeddingPayload {
  data: Float32Array;
  dims: number[];
  imageHeight: number;
  imageWidth: number;
}

/** Requests the page sends to the SAM worker. Embeddings stay in the worker, addressed by id. */
export type SamWorkerRequest =
  | { id: number; type: 'init'; manifest: BundleManifest; models: Partial<Record<ModelRole, ModelSource>>; runtime?: WebRuntimeOptions }
  /**
   * `frame`: the size prompts and masks of this embedding are in, when not the pixels' own — a
   * smaller frame of the same aspect (e.g. a region larger than 1024 px decoded in its 1024 model
   * frame, as the annotator tool's display frame does for large images).
   */
  | { id: number; type: 'embed'; image: RgbImage; returnEmbedding?: boolean; frame?: { width: number; height: number } }
  | { id: number; type: 'setEmbedding'; embedding: EmbeddingPayload }
  | { id: number; type: 'decode'; embeddingId: string; prompt: SamPrompt; options?: DecodeOptions }
  | { id: number; type: 'releaseEmbedding'; embeddingId: string }
  | { id: number; type: 'dispose' };

export type SamWorkerRequestType = SamWorkerRequest['type'];

/** Results per request type. */
export interface SamWorkerResults {
  init: { ready: true };
  embed: { embeddingId: string; embedding?: EmbeddingPayload };
  setEmbedding: { embeddingId: string };
  decode: { masks: PredictedMask[]; numPoints: number };
  releaseEmbedding: { released: boolean };
  dispose: { disposed: true };
}

export type SamWorkerResponse =
  | { id: number; ok: true; result: SamWorkerResults[SamWorkerRequestType] }
  | { id: number; ok: false; error: { name: string; message: string } };

/** Distributes `Omit` over the request union (TypeScript's Omit does not). */
export type RequestBody<T extends SamWorkerRequestType> = Omit<Extract<SamWorkerRequest, { type: T }>, 'id' | 'type'>;

/** The ArrayBuffers a response can hand over without copying (mask bytes, logits, embeddings). */
export function responseTransferables(response: SamWorkerResponse): ArrayBuffer[] {
  if (!response.ok) return [];
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined): void => {
    if (a && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  const r = response.result as Partial<SamWorkerResults['decode'] & SamWorkerResults['embed']>;
  for (const m of r.masks ?? []) {
    add(m.mask.data);
    add(m.lowResLogits);
    add(m.logits);
  }
  add(r.embedding?.data);
  return [...buffers];
}
