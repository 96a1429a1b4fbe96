'use client';
// One SAM worker per page; (re)initialised with the decoder of the active checkpoint. When ops
// promote another checkpoint, the new id arrives through checkpoints.active and the worker switches.
// The encoder goes to the worker too when it is small enough to run in the browser: it embeds the
// zoomed-in part of the image for the focus view (focus-region.ts); it loads on first use.
import { bundleManifestSchema } from '@dataengine/segment';
import { SamWorkerClient } from '@dataengine/segment/web';
import type { CheckpointDto } from '@dataengine/contracts';
import { useEffect, useState } from 'react';

/** Served by the app: copied from onnxruntime-web's dist/ by next.config.ts. */
const ORT_WASM_PATH = '/ort/';

/** Whether the worker can embed regions of the image (the focus view), or why not. */
export type FocusSupport = { available: true } | { available: false; reason: string };

export type DecoderState =
  | { status: 'idle' }
  | { status: 'loading'; checkpointId: string }
  | { status: 'ready'; checkpointId: string; focus: FocusSupport }
  | { status: 'failed'; message: string };

/** Larger encoders (a SAM ViT-B is 358 MB) stay on the server: the focus view is off for them. */
export const BROWSER_ENCODER_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The encoder's size from a HEAD request, and whether the browser should run it. An encoder whose
 * weights sit in an `encoder.onnx.data` side file (large exports) stays on the server: the browser
 * runtime loads single-file models only.
 */
async function encoderSupport(url: string): Promise<FocusSupport> {
  try {
    const res = await fetch(url, { method: 'HEAD' });
    if (!res.ok) return { available: false, reason: `the model's encoder is not available to the browser (HTTP ${res.status})` };
    if (res.headers.get('x-external-data-size')) return { available: false, reason: "this model's encoder keeps its weights in a side file (a large export) and runs on the server only" };
    const bytes = Number(res.headers.get('x-file-size') ?? res.headers.get('content-length'));
    if (!Number.isFinite(bytes) || bytes <= 0) return { available: false, reason: "the model's encoder size is unknown" };
    if (bytes > BROWSER_ENCODER_MAX_BYTES) return { available: false, reason: `this model's encoder (${Math.round(bytes / 2 ** 20)} MiB) is too large to run in the browser` };
    return { available: true };
  } catch (error) {
    return { available: false, reason: `the model's encoder could not be checked: ${(error as Error).message}` };
  }
}

const absolute = (path: string) => new URL(path, window.location.origin).href;

export function useSamWorker(checkpoint: CheckpointDto | null | undefined): { client: SamWorkerClient | null; decoder: DecoderState } {
  const [client, setClient] = useState<SamWorkerClient | null>(null);
  const [decoder, setDecoder] = useState<DecoderState>({ status: 'idle' });

  useEffect(() => {
    const worker = new Worker(new URL('./sam.worker.ts', import.meta.url), { type: 'module', name: 'sam-decoder' });
    const c = new SamWorkerClient(worker);
    setClient(c);
    return () => c.terminate();
  }, []);

  const checkpointId = checkpoint?.id;
  useEffect(() => {
    if (!client || !checkpoint) return;
    let cancelled = false;
    setDecoder({ status: 'loading', checkpointId: checkpoint.id });
    const parsed = bundleManifestSchema.safeParse(checkpoint.manifest);
    if (!parsed.success) {
      setDecoder({ status: 'failed', message: `the checkpoint's manifest is not usable: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
      return;
    }
    // the model files are immutable (content-addressed), so the browser's HTTP cache keeps them
    const encoderUrl = absolute(checkpoint.files.encoder);
    encoderSupport(encoderUrl)
      .then(async (focus) => {
        await client.init(parsed.data, { decoder: absolute(checkpoint.files.decoder), ...(focus.available ? { encoder: encoderUrl } : {}) }, { wasmPaths: absolute(ORT_WASM_PATH) });
        return focus;
      })
      .then(
        (focus) => !cancelled && setDecoder({ status: 'ready', checkpointId: checkpoint.id, focus }),
        (error: Error) => !cancelled && setDecoder({ status: 'failed', message: `the decoder could not be loaded: ${error.message}` }),
      );
    return () => {
      cancelled = true;
    };
    // re-initialise only when the checkpoint (id) changes, not on every refetch of the same one
  }, [client, checkpointId]);

  return { client, decoder };
}
