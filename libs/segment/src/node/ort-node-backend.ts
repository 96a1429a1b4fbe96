import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InteractiveDecoderSource } from '../bundle/interactive-decoder-source';
import { isInteractiveDecoderRole, type FloatTensor, type InferenceBackend, type ModelRole, type TensorFeeds } from '../pipeline/inference-backend.types';
import { InferenceError } from '../pipeline/segment-errors';

export interface NodeRuntimeOptions {
  /** onnxruntime intra-op threads (encoder, detector, contract decoder, prelude); default: onnxruntime's own choice. */
  intraOpNumThreads?: number;
  /**
   * Intra-op threads of the per-prompt interactive decoder graphs (`decoder.prompt`,
   * `decoder.prompt-no-mask`); default {@link PROMPT_GRAPH_THREADS}. Every caller runs them one
   * prompt at a time, a graph of small kernels where more threads mostly wait on each other.
   */
  promptIntraOpNumThreads?: number;
  /** `cuda` is used when the CUDA execution provider is available; otherwise CPU, with a log line. */
  executionProvider?: 'cpu' | 'cuda';
  /** Where one-time notices go: the CUDA fallback, and (through openBundle) the contract-decoder fallback. Default: console.warn. */
  log?: (line: string) => void;
}

/**
 * Default intra-op threads of the per-prompt decoder graphs. One prompt's graph is a few hundred
 * small kernels: on a 2-core CPU it ran faster on 1 thread than on 2, and far faster when other work
 * shares the cores (docs/scale.md, "Decoder threads"; `bench:eval --prompt-threads N`).
 */
export const PROMPT_GRAPH_THREADS = 1;

const isPromptGraph = (role: ModelRole): boolean => role === 'decoder.prompt' || role === 'decoder.prompt-no-mask';

/** The session options of one role: prompt graphs take their own thread count. */
export function roleRuntimeOptions(role: ModelRole, options: NodeRuntimeOptions): NodeRuntimeOptions {
  if (!isPromptGraph(role)) return options;
  return { ...options, intraOpNumThreads: options.promptIntraOpNumThreads ?? PROMPT_GRAPH_THREADS };
}

/**
 * Whether onnxruntime-node's CUDA provider library is installed next to its binding (the package's
 * install script fetches it; this repo skips that script, so a GPU host must install it).
 */
export function cudaProviderInstalled(): boolean {
  if (!ort.listSupportedBackends().some((b) => b.name === 'cuda')) return false;
  const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(dist, '..', 'bin', 'napi-v6', process.platform, process.arch, lib));
}

/** Creates a session (from a file or model bytes) on CUDA when asked and possible, else on CPU (logging why). */
export async function createNodeSession(source: string | Uint8Array, options: NodeRuntimeOptions = {}): Promise<ort.InferenceSession> {
  const path = typeof source === 'string' ? source : 'a derived model';
  const create = (opts: ort.InferenceSession.SessionOptions) => (typeof source === 'string' ? ort.InferenceSession.create(source, opts) : ort.InferenceSession.create(source, opts));
  const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
  if (options.intraOpNumThreads !== undefined) base.intraOpNumThreads = options.intraOpNumThreads;
  const log = options.log ?? ((line: string) => console.warn(line));
  if (options.executionProvider === 'cuda') {
    if (!cudaProviderInstalled()) {
      log(`segment: CUDA execution provider not installed for onnxruntime-node (${process.platform}-${process.arch}); running ${path} on CPU`);
    } else {
      try {
        // quiet session logging for the attempt (onnxruntime still prints its own provider-load error once)
        return await create({ ...base, executionProviders: ['cuda', 'cpu'], logSeverityLevel: 4 });
      } catch (error) {
        log(`segment: CUDA execution provider failed for ${path} (${(error as Error).message.split('\n')[0]}); running on CPU`);
      }
    }
  }
  return create({ ...base, executionProviders: ['cpu'] });
}

/**
 * onnxruntime-node implementation of InferenceBackend over one bundle's model files. Sessions are
 * created lazily on first use; concurrent first calls share one creation (the promise is the lock).
 * The interactive decoder roles are derived from the decoder file.
 */
export class OrtNodeBackend implements InferenceBackend {
  private readonly sessions = new Map<ModelRole, Promise<ort.InferenceSession>>();
  private disposed = false;
  private readonly interactive: InteractiveDecoderSource;

  constructor(
    private readonly files: Partial<Record<ModelRole, string>>,
    private readonly options: NodeRuntimeOptions = {},
  ) {
    this.interactive = new InteractiveDecoderSource(async () => {
      if (!files.decoder) throw new InferenceError('this bundle has no decoder model');
      return readFile(files.decoder);
    });
  }

  session(role: ModelRole): Promise<ort.InferenceSession> {
    if (this.disposed) return Promise.reject(new InferenceError('the inference backend was disposed'));
    let session = this.sessions.get(role);
    if (!session) {
      const path = this.files[role];
      if (isInteractiveDecoderRole(role) && !path) {
        session = this.interactive.model(role).then((bytes) => createNodeSession(bytes, roleRuntimeOptions(role, this.options)));
      } else {
        if (!path) return Promise.reject(new InferenceError(`this bundle has no ${role} model`));
        session = createNodeSession(path, this.options);
      }
      // a failed load is not cached: the next call retries
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
    return fromOrtOutputs(role, raw);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.then((x) => x.release(), () => undefined)));
  }
}

export function fromOrtOutputs(role: ModelRole, raw: Record<string, ort.Tensor>): Record<string, FloatTensor> {
  const out: Record<string, FloatTensor> = {};
  for (const [name, t] of Object.entries(raw)) {
    if (t.type !== 'float32') throw new InferenceError(`${role} output "${name}" is ${t.type}, expected float32`);
    out[name] = { data: t.data as Float32Array, dims: t.dims };
  }
  return out;
}
