// The SAM decoder's Web Worker (onnxruntime-web, wasm). Created by use-sam-worker.ts with
// `new Worker(new URL('./sam.worker.ts', import.meta.url), { type: 'module' })`.
import { startSamWorker, type WorkerScopeLike } from '@dataengine/segment/web';

startSamWorker(self as unknown as WorkerScopeLike);
