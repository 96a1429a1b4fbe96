import { pipelineConfigFromManifest } from '../bundle/bundle-manifest.schema';
import type { InferenceBackend, ModelRole } from '../pipeline/inference-backend.types';
import type { ImageEmbedding } from '../pipeline/prompt.types';
import { SamPredictor } from '../pipeline/sam-predictor';
import { InferenceError } from '../pipeline/segment-errors';
import type { ModelSource, WebRuntimeOptions } from './ort-web-backend';
import type { SamWorkerRequest, SamWorkerResponse, SamWorkerResults } from './sam-worker.protocol';

export type BackendFactory = (models: Partial<Record<ModelRole, ModelSource>>, runtime: WebRuntimeOptions) => InferenceBackend;

/**
 * How many embeddings the worker keeps (4 MiB each for SAM); the least recently used goes first.
 * The annotator tool holds up to 4: the image, the next one of the queue, and two focus views
 * (the one on screen and the one a mask in progress was started in).
 */
export const WORKER_EMBEDDING_SLOTS = 6;

/**
 * The worker's logic, free of any worker global: one predictor, a few embeddings by id, requests
 * served one at a time in arrival order. `sam.worker.ts` wires it to `self`; tests call it directly.
 */
export function createSamWorkerHandler(createBackend: BackendFactory): (request: SamWorkerRequest) => Promise<SamWorkerResponse> {
  let backend: InferenceBackend | null = null;
  let predictor: SamPredictor | null = null;
  const embeddings = new Map<string, ImageEmbedding>();
  let nextEmbedding = 1;
  let queue: Promise<unknown> = Promise.resolve();

  const keep = (embedding: ImageEmbedding): string => {
    const id = `e${nextEmbedding++}`;
    embeddings.set(id, embedding);
    while (embeddings.size > WORKER_EMBEDDING_SLOTS) embeddings.delete(embeddings.keys().next().value!);
    return id;
  };
  const ready = (): SamPredictor => {
    if (!predictor) throw new InferenceError('the SAM worker has no model yet: send "init" first');
    return predictor;
  };

  async function serve(req: SamWorkerRequest): Promise<SamWorkerResults[SamWorkerRequest['type']]> {
    switch (req.type) {
      case 'init':
        await backend?.dispose();
        embeddings.clear();
        backend = createBackend(req.models, req.runtime ?? {});
        predictor = new SamPredictor(backend, pipelineConfigFromManifest(req.manifest));
        await predictor.warmUp(); // the decoder sessions load now, not on the first click
        return { ready: true };
      case 'embed': {
        const embedded = await ready().embedImage(req.image);
        const e = req.frame ? { ...embedded, imageWidth: req.frame.width, imageHeight: req.frame.height } : embedded;
        await ready().prelude(e);
        const embeddingId = keep(e);
        if (!req.returnEmbedding) return { embeddingId };
        return { embeddingId, embedding: { data: e.tensor.data.slice(), dims: [...e.tensor.dims], imageHeight: e.imageHeight, imageWidth: e.imageWidth } };
      }
      case 'setEmbedding': {
        const { data, dims, imageHeight, imageWidth } = req.embedding;
        const e: ImageEmbedding = { tensor: { data, dims }, imageHeight, imageWidth };
        await ready().prelude(e); // the embedding-only part of the decoder, once per image
        return { embeddingId: keep(e) };
      }
      case 'decode': {
        const e = embeddings.get(req.embeddingId);
        if (!e) throw new InferenceError(`unknown embedding "${req.embeddingId}" (released or evicted); send it again with setEmbedding`);
        embeddings.delete(req.embeddingId); // re-insert: most recently used
        embeddings.set(req.embeddingId, e);
        return ready().decode(e, req.prompt, req.options);
      }
      case 'releaseEmbedding':
        return { released: embeddings.delete(req.embeddingId) };
      case 'dispose':
        embeddings.clear();
        await backend?.dispose();
        backend = null;
        predictor = null;
        return { disposed: true };
    }
  }

  return (request) => {
    const run = queue.then(() => serve(request));
    queue = run.catch(() => undefined);
    return run.then(
      (result): SamWorkerResponse => ({ id: request.id, ok: true, result }),
      (error: unknown): SamWorkerResponse => ({ id: request.id, ok: false, error: { name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) } }),
    );
  };
}
