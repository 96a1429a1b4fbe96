import { OrtWebBackend } from './ort-web-backend';
import { createSamWorkerHandler, type BackendFactory } from './sam-worker.handler';
import { responseTransferables, type SamWorkerRequest, type SamWorkerResponse } from './sam-worker.protocol';

/** The part of a DedicatedWorkerGlobalScope the worker uses. */
export interface WorkerScopeLike {
  addEventListener(type: 'message', listener: (event: MessageEvent<SamWorkerRequest>) => void): void;
  postMessage(message: SamWorkerResponse, transfer: Transferable[]): void;
}

/**
 * Serves SamWorkerClient requests inside a Web Worker with onnxruntime-web (wasm, SIMD; 2 threads
 * when cross-origin isolated). The web app's worker file is one line:
 * `startSamWorker(self as unknown as WorkerScopeLike)` (see sam.worker.ts).
 */
export function startSamWorker(scope: WorkerScopeLike, createBackend: BackendFactory = (models, runtime) => new OrtWebBackend(models, runtime)): void {
  const handle = createSamWorkerHandler(createBackend);
  scope.addEventListener('message', (event) => {
    void handle(event.data).then((response) => scope.postMessage(response, responseTransferables(response)));
  });
}
