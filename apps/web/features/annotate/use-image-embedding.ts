'use client';
// The image's embedding for the decoder's checkpoint: fetched once per image (polling while the
// worker computes it), handed to the SAM worker (in the display frame for large images), and
// warmed up with one throw-away decode so the first real click does not pay for the decoder
// session's creation. The next image of the queue goes through the same query ahead of time
// (prefetch), so opening it finds its embedding already in the worker.
import type { SamWorkerClient } from '@dataengine/segment/web';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { HttpError } from '../../lib/api-error';
import { EMBEDDING_FETCH, EMBEDDING_HANDOVER, EMBEDDING_LOAD } from './latency';
import { displayFrame } from './lib/display-frame';
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

export async function fetchEmbedding(imageId: number, checkpointId: string, signal: AbortSignal): Promise<FetchedEmbedding> {
  const started = Date.now();
  // the checkpoint is in the URL: the answer is cached as immutable, and differs per checkpoint
  const url = `/api/images/${imageId}/embedding?checkpointId=${encodeURIComponent(checkpointId)}`;
  for (;;) {
    const res = await fetch(url, { signal });
    if (res.status === 200) return readEmbedding(res.headers, await res.arrayBuffer());
    if (res.status !== 202) throw await errorFromResponse(res);
    if (Date.now() - started > EMBEDDING_WAIT_MS) throw new HttpError(504, 'TIMEOUT', 'the embedding of this image is still being computed; try again in a minute');
    await sleep(retryAfterMs(res.headers.get('retry-after')), signal);
  }
}

export interface WorkerEmbedding {
  embeddingId: string;
  checkpointId: string;
  /** The image's size (the worker may hold it in the smaller display frame). */
  width: number;
  height: number;
}

/** How long an image's worker embedding id stays known to the page (the worker keeps 4). */
const EMBEDDING_GC_MS = 5 * 60_000;

const embeddingKey = (client: SamWorkerClient | null, imageId: number | null, checkpointId: string | null) => ['annotate', 'embedding', workerSerial(client), imageId, checkpointId] as const;

/** Ids of worker instances, so a new worker (a remount) never reuses another one's embedding ids. */
const serials = new WeakMap<SamWorkerClient, number>();
let lastSerial = 0;
function workerSerial(client: SamWorkerClient | null): number {
  if (!client) return 0;
  let n = serials.get(client);
  if (n === undefined) serials.set(client, (n = ++lastSerial));
  return n;
}

function embeddingQuery(client: SamWorkerClient | null, imageId: number | null, checkpointId: string | null, prefetch: boolean) {
  return {
    queryKey: embeddingKey(client, imageId, checkpointId),
    staleTime: Infinity,
    gcTime: EMBEDDING_GC_MS, // only ids are cached here: the 4 MiB stay in the worker, not the page
    retry: 1,
    queryFn: async ({ signal }: { signal: AbortSignal }): Promise<WorkerEmbedding> => {
      const start = performance.now();
      const e = await fetchEmbedding(imageId!, checkpointId!, signal);
      if (e.checkpointId !== checkpointId) {
        throw new HttpError(409, 'CHECKPOINT_CHANGED', 'the model changed while this image was loading; it will reload');
      }
      const fetched = performance.now();
      const frame = displayFrame(e.imageWidth, e.imageHeight);
      const { embeddingId } = await client!.setEmbedding({ data: e.data, dims: e.dims, imageWidth: frame.width, imageHeight: frame.height }, { transfer: true });
      if (!prefetch) {
        performance.measure(EMBEDDING_FETCH, { start, end: fetched, detail: { imageId } });
        performance.measure(EMBEDDING_HANDOVER, { start: fetched, end: performance.now(), detail: { imageId } });
      }
      // warm-up (the first run of a session is slow); a prefetch runs after the current image's
      if (!prefetch) await client!.decode(embeddingId, { points: [{ x: frame.width / 2, y: frame.height / 2, label: 1 }] });
      if (!prefetch) performance.measure(EMBEDDING_LOAD, { start, end: performance.now(), detail: { imageId } });
      return { embeddingId, checkpointId: e.checkpointId, width: e.imageWidth, height: e.imageHeight };
    },
  };
}

/** `decoderReady` names the checkpoint the worker holds; the embedding must come from the same one. */
export function useImageEmbedding(client: SamWorkerClient | null, imageId: number | null, decoderCheckpointId: string | null) {
  return useQuery({ ...embeddingQuery(client, imageId, decoderCheckpointId, false), enabled: client !== null && imageId !== null && decoderCheckpointId !== null });
}

/** Fetches the embedding of an upcoming image into the worker now (errors are left for its own turn). */
export function prefetchEmbedding(queryClient: QueryClient, client: SamWorkerClient, imageId: number, checkpointId: string): Promise<void> {
  return queryClient.prefetchQuery(embeddingQuery(client, imageId, checkpointId, true));
}
