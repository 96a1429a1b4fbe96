'use client';
// One SAM worker per page; (re)initialised with the decoder of the active checkpoint. When ops
// promote another checkpoint, the new id arrives through checkpoints.active and the worker switches.
import { bundleManifestSchema } from '@dataengine/segment';
import { SamWorkerClient } from '@dataengine/segment/web';
import type { CheckpointDto } from '@dataengine/contracts';
import { useEffect, useState } from 'react';

/** Served by the app: copied from onnxruntime-web's dist/ by next.config.ts. */
const ORT_WASM_PATH = '/ort/';

export type DecoderState = { status: 'idle' } | { status: 'loading'; checkpointId: string } | { status: 'ready'; checkpointId: string } | { status: 'failed'; message: string };

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
    // the decoder file is immutable (content-addressed), so the browser's HTTP cache keeps it
    client.init(parsed.data, { decoder: absolute(checkpoint.files.decoder) }, { wasmPaths: absolute(ORT_WASM_PATH) }).then(
      () => !cancelled && setDecoder({ status: 'ready', checkpointId: checkpoint.id }),
      (error: Error) => !cancelled && setDecoder({ status: 'failed', message: `the decoder could not be loaded: ${error.message}` }),
    );
    return () => {
      cancelled = true;
    };
    // re-initialise only when the checkpoint (id) changes, not on every refetch of the same one
  }, [client, checkpointId]);

  return { client, decoder };
}
