// Annotators saving masks through the API in tight loops (POST /trpc/masks.save, a fresh client key
// each time): the load the database outage drill and the save-throughput benchmark put on the API.
import { randomBytes } from 'node:crypto';

export interface SaveSample {
  /** performance.now() when the request left */
  sentAt: number;
  /** until the whole answer was read */
  latencyMs: number;
  status: number | 'network';
  retryAfter: string | null;
}

export interface MaskSaver {
  /** session cookie of the annotator */
  cookie: string;
  imageId: number;
  /** a COCO compressed RLE of the image's size */
  segmentation: { size: [number, number]; counts: string };
}

export interface MaskSaveLoadOptions {
  apiUrl: string;
  savers: MaskSaver[];
  /** A client backs off this long after an error answer (default 100 ms). */
  backoffMs?: number;
  /** A request without an answer after this long counts as a network error (default 20 s). */
  timeoutMs?: number;
}

export interface MaskSaveLoad {
  samples: SaveSample[];
  /** Requests that got no HTTP answer at all (socket reset, timeout). */
  networkErrors: string[];
  /** Client keys of the saves answered 2xx. */
  acknowledged: string[];
  /** Ends the loops after the requests in flight. */
  stop(): Promise<void>;
}

export function startMaskSaveLoad(options: MaskSaveLoadOptions): MaskSaveLoad {
  const backoffMs = options.backoffMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const samples: SaveSample[] = [];
  const networkErrors: string[] = [];
  const acknowledged: string[] = [];
  let running = true;
  const loop = async (saver: MaskSaver) => {
    while (running) {
      const clientKey = `load-${randomBytes(8).toString('hex')}`;
      const sentAt = performance.now();
      try {
        const res = await fetch(`${options.apiUrl}/trpc/masks.save`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: saver.cookie },
          body: JSON.stringify({ imageId: saver.imageId, segmentation: saver.segmentation, activeMs: 1_000, clicks: 2, clientKey }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer();
        samples.push({ sentAt, latencyMs: performance.now() - sentAt, status: res.status, retryAfter: res.headers.get('retry-after') });
        if (res.ok) acknowledged.push(clientKey);
        else await new Promise((r) => setTimeout(r, backoffMs));
      } catch (error) {
        samples.push({ sentAt, latencyMs: performance.now() - sentAt, status: 'network', retryAfter: null });
        networkErrors.push((error as Error).message);
        await new Promise((r) => setTimeout(r, backoffMs));
      }
    }
  };
  const loops = options.savers.map((s) => loop(s));
  return {
    samples,
    networkErrors,
    acknowledged,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
