/**
 * @dataengine/segment/web — browser inference: onnxruntime-web (wasm) behind the same
 * InferenceBackend, run inside a Web Worker with a promise-based client. The worker entry is
 * `web/sam.worker.ts` (or call startSamWorker in the app's own worker file).
 */
export { configureOrtWeb, OrtWebBackend, wasmThreadCount, type ModelSource, type WebRuntimeOptions } from './web/ort-web-backend';
export { createSamWorkerHandler, WORKER_EMBEDDING_SLOTS, type BackendFactory } from './web/sam-worker.handler';
export { responseTransferables, type EmbeddingPayload, type RequestBody, type SamWorkerRequest, type SamWorkerRequestType, type SamWorkerResponse, type SamWorkerResults } from './web/sam-worker.protocol';
export { SamWorkerClient, type WorkerLike } from './web/sam-worker.client';
export { startSamWorker, type WorkerScopeLike } from './web/sam-worker.runtime';
