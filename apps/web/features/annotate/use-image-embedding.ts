'use client';
// The image's embedding for the active checkpoint: fetched once per image (polling while the
// worker computes it), handed to the SAM worker, and warmed up with one throw-away decode so the
// first real click does not pay for the decoder session's creation.
import type { SamWorkerClient } from '@dataengine/segment/web';
import { useQuery } from '@tanstack/react-query';
import { HttpError } from '../../lib/api-error';
import { readEmbedding, retryAfterMs, type FetchedEmbedding } from './lib/embedding-response';

/** Give up waiting for the worker after this long (it says "queued" until then). */
const EMBEDDING_WAIT_MS = 120_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

async function errorFromResponse(res: Response): Promise<HttpError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return new HttpError(res.status, body?.error?.code ?? 'HTTP_ERROR', body?.error?.message ?? `the embedding could not be loaded (HTTP ${res.status})`);
}

export async function fetchEmbedding(imageId: number, signal: AbortSignal): Promise<FetchedEmbedding> {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`/api/images/${imageId}/embedding`, { signal });
    if (res.status === 200) return readEmbedding(res.headers, await res.arrayBuffer());
    if (res.status !== 202) throw await errorFromResponse(res);
    if (Date.now() - started > EMBEDDING_WAIT_MS) throw new HttpError(504, 'TIMEOUT', 'the embedding of this image is still being computed; try again in a minute');
    await sleep(retryAfterMs(res.headers.get('retry-after')), signal);
  }
}

export interface WorkerEmbedding {
  embeddingId: string;
  checkpointId: string;
  width: number;
  height: number;
}

/** `decoderReady` names the checkpoint the worker holds; the embedding must come from the same one. */
export function useImageEmbedding(client: SamWorkerClient | null, imageId: number | null, decoderCheckpointId: string | null) {
  return useQuery({
    queryKey: ['annotate', 'embedding', imageId, decoderCheckpointId],
    enabled: client !== null && imageId !== null && decoderCheckpointId !== null,
    staleTime: Infinity,
    gcTime: 0, // the worker keeps it; no second copy of 4 MiB in the page
    retry: 1,
    queryFn: async ({ signal }): Promise<WorkerEmbedding> => {
      const e = await fetchEmbedding(imageId!, signal);
      if (e.checkpointId !== decoderCheckpointId) {
        throw new HttpError(409, 'CHECKPOINT_CHANGED', 'the model changed while this image was loading; it will reload');
      }
      const { embeddingId } = await client!.setEmbedding({ data: e.data, dims: e.dims, imageWidth: e.imageWidth, imageHeight: e.imageHeight }, { transfer: true });
      await client!.decode(embeddingId, { points: [{ x: e.imageWidth / 2, y: e.imageHeight / 2, label: 1 }] }); // warm-up
      return { embeddingId, checkpointId: e.checkpointId, width: e.imageWidth, height: e.imageHeight };
    },
  });
}
