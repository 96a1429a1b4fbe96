import * as ort from 'onnxruntime-web/wasm';
import { InteractiveDecoderSource } from '../bundle/interactive-decoder-source';
import { isInteractiveDecoderRole, type FloatTensor, type InferenceBackend, type ModelRole, type TensorFeeds } from '../pipeline/inference-backend.types';
import { InferenceError } from '../pipeline/segment-errors';

/** Model bytes, or a URL the runtime fetches. */
export type ModelSource = string | Uint8Array;

export interface WebRuntimeOptions {
  /** Where ort-wasm-simd-threaded.{mjs,wasm} are served (e.g. "/ort/"); default: next to the bundle. */
  wasmPaths?: string;
  /** Threads need cross-origin isolation (COOP + COEP); default 2 when isolated, else 1 (STACK-NOTES.md). */
  numThreads?: number;
}

let configured = false;

/** 2 threads when cross-origin isolated (SharedArrayBuffer available), else 1; an explicit count wins. */
export function wasmThreadCount(crossOriginIsolated: boolean, requested?: number): number {
  if (requested !== undefined) return crossOriginIsolated ? requested : 1;
  return crossOriginIsolated ? 2 : 1;
}

/** Sets onnxruntime-web's global wasm options once, before the first session (later calls are ignored by ort). */
export function configureOrtWeb(options: WebRuntimeOptions = {}): void {
  if (configured) return;
  configured = true;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  ort.env.wasm.numThreads = wasmThreadCount(isolated, options.numThreads);
  ort.env.wasm.simd = true; // 1.30 ships only the SIMD build; kept explicit
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
}

/** Model bytes from a source (fetched when it is a URL). */
async function sourceBytes(source: ModelSource): Promise<Uint8Array> {
  if (typeof source !== 'string') return source;
  const res = await fetch(source);
  if (!res.ok) throw new InferenceError(`could not fetch the model ${source} (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * onnxruntime-web (wasm) implementation of InferenceBackend; sessions load lazily, once. The
 * interactive decoder roles are derived from the decoder (fetched once when it is a URL).
 */
export class OrtWebBackend implements InferenceBackend {
  private readonly sessions = new Map<ModelRole, Promise<ort.InferenceSession>>();
  private disposed = false;
  private readonly interactive: InteractiveDecoderSource;

  constructor(
    private readonly models: Partial<Record<ModelRole, ModelSource>>,
    options: WebRuntimeOptions = {},
  ) {
    configureOrtWeb(options);
    this.interactive = new InteractiveDecoderSource(async () => {
      if (models.decoder === undefined) throw new InferenceError('this bundle has no decoder model');
      return sourceBytes(models.decoder);
    });
  }

  private session(role: ModelRole): Promise<ort.InferenceSession> {
    if (this.disposed) return Promise.reject(new InferenceError('the inference backend was disposed'));
    let session = this.sessions.get(role);
    if (!session) {
      const source = this.models[role];
      const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
      if (isInteractiveDecoderRole(role) && source === undefined) {
        session = this.interactive.model(role).then((bytes) => ort.InferenceSession.create(bytes, opts));
      } else {
        if (source === undefined) return Promise.reject(new InferenceError(`this bundle has no ${role} model`));
        session = typeof source === 'string' ? ort.InferenceSession.create(source, opts) : ort.InferenceSession.create(source, opts);
      }
      session.catch(() => this.sessions.delete(role));
      this.sessions.set(role, session);
    }
    return session;
  }

  async run(role: ModelRole, feeds: TensorFeeds, outputNames?: readonly string[]): Promise<Record<string, FloatTensor>> {
    const session = await this.session(role);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
    const raw = outputNames ? await session.run(ortFeeds, outputNames) : await session.run(ortFeeds);
    const out: Record<string, FloatTensor> = {};
    for (const [name, t] of Object.entries(raw)) {
      if (t.type !== 'float32') throw new InferenceError(`${role} output "${name}" is ${t.type}, expected float32`);
      out[name] = { data: t.data as Float32Array, dims: t.dims };
    }
    return out;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.then((x) => x.release(), () => undefined)));
  }
}
