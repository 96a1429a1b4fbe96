// Module Web Worker entry: `new Worker(new URL('./sam.worker.ts', import.meta.url), { type: 'module' })`.
import { startSamWorker, type WorkerScopeLike } from './sam-worker.runtime';

startSamWorker(self as unknown as WorkerScopeLike);
