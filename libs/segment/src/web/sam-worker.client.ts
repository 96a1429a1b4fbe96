import type { BundleManifest } from '../bundle/bundle-manifest.schema';
import type { RgbImage } from '../pipeline/image-resize';
import type { ModelRole } from '../pipeline/inference-backend.types';
import type { SamPrompt } from '../pipeline/prompt.types';
import type { DecodeOptions } from '../pipeline/sam-predictor';
import { InferenceError, PromptError } from '../pipeline/segment-errors';
import type { ModelSource, WebRuntimeOptions } from './ort-web-backend';
import type { EmbeddingPayload, RequestBody, SamWorkerRequest, SamWorkerRequestType, SamWorkerResponse, SamWorkerResults } from './sam-worker.protocol';

/** The part of `Worker` (or a MessagePort) the client uses. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<SamWorkerResponse>) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate?(): void;
}

/** Rebuilds the library's error classes from a worker error, so callers can `instanceof` them. */
function reviveError(error: { name: string; message: string }): Error {
  if (error.name === 'PromptError') return new PromptError(error.message);
  if (error.name === 'InferenceError') return new InferenceError(error.message);
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

/** Promise API over the SAM worker: `await client.decode(id, prompt)`. Requests are answered in order. */
export class SamWorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener('message', (event: MessageEvent<SamWorkerResponse>) => {
      const response = event.data;
      const p = this.pending.get(response.id);
      if (!p) return;
      this.pending.delete(response.id);
      if (response.ok) p.resolve(response.result);
      else p.reject(reviveError(response.error));
    });
    worker.addEventListener('error', (event: { message?: string }) => this.failAll(new InferenceError(`the SAM worker failed: ${event.message ?? 'unknown error'}`)));
  }

  private call<T extends SamWorkerRequestType>(type: T, body: RequestBody<T>, transfer: Transferable[] = []): Promise<SamWorkerResults[T]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, type, ...body } as SamWorkerRequest, transfer);
    });
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  init(manifest: BundleManifest, models: Partial<Record<ModelRole, ModelSource>>, runtime?: WebRuntimeOptions): Promise<SamWorkerResults['init']> {
    return this.call('init', runtime ? { manifest, models, runtime } : { manifest, models });
  }

  /** Embeds an image in the worker. `transfer: true` hands the pixel buffer over (it becomes unusable here). */
  embed(image: RgbImage, options: { returnEmbedding?: boolean; transfer?: boolean; frame?: { width: number; height: number } } = {}): Promise<SamWorkerResults['embed']> {
    const body: RequestBody<'embed'> = { image, ...(options.returnEmbedding ? { returnEmbedding: true } : {}), ...(options.frame ? { frame: options.frame } : {}) };
    return this.call('embed', body, options.transfer ? [image.data.buffer as ArrayBuffer] : []);
  }

  /** Registers an embedding computed elsewhere (e.g. fetched from the API). */
  setEmbedding(embedding: EmbeddingPayload, options: { transfer?: boolean } = {}): Promise<SamWorkerResults['setEmbedding']> {
    return this.call('setEmbedding', { embedding }, options.transfer ? [embedding.data.buffer as ArrayBuffer] : []);
  }

  decode(embeddingId: string, prompt: SamPrompt, options?: DecodeOptions): Promise<SamWorkerResults['decode']> {
    return this.call('decode', options ? { embeddingId, prompt, options } : { embeddingId, prompt });
  }

  releaseEmbedding(embeddingId: string): Promise<SamWorkerResults['releaseEmbedding']> {
    return this.call('releaseEmbedding', { embeddingId });
  }

  dispose(): Promise<SamWorkerResults['dispose']> {
    return this.call('dispose', {});
  }

  /** Stops the worker; pending calls reject. */
  terminate(): void {
    this.worker.terminate?.();
    this.failAll(new InferenceError('the SAM worker was terminated'));
  }
}
