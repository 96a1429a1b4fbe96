'use client';
// The focus view's embedding (focus-region.ts): when the view settles on a zoomed-in region, its
// pixels are cut from the image and embedded in the SAM worker by the checkpoint's own encoder.
// One embed at a time: a view left before its embed started is never embedded, and one left while
// it ran is released as soon as it is done (the worker serves decodes in the same queue, and its
// slots hold the image's own embedding too). Embeddings no longer on screen are released, except
// the one a mask in progress was started in; all of them when the image closes.
import type { SamWorkerClient } from '@dataengine/segment/web';
import { useEffect, useRef, useState } from 'react';
import { FOCUS_EMBED } from './latency';
import type { DisplayFrame } from './lib/display-frame';
import type { FocusRegion } from '@dataengine/segment';
import { regionFrame } from './lib/focus-region';
import type { WorkerEmbedding } from './use-image-embedding';
import type { FocusSupport } from './use-sam-worker';

export type FocusView =
  | { status: 'off' }
  | { status: 'unavailable'; reason: string }
  | { status: 'computing'; region: FocusRegion }
  | { status: 'ready'; region: FocusRegion; frame: DisplayFrame; embedding: WorkerEmbedding }
  | { status: 'failed'; region: FocusRegion; message: string };

export type ReadyFocus = Extract<FocusView, { status: 'ready' }>;

const OFF: FocusView = { status: 'off' };

/** The region's pixels (RGBA, as drawn by the browser's own decode of the image). */
function regionPixels(image: ImageBitmap, region: FocusRegion) {
  const canvas = new OffscreenCanvas(region.width, region.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('the browser gave no 2D canvas to cut the region from');
  ctx.drawImage(image, region.x0, region.y0, region.width, region.height, 0, 0, region.width, region.height);
  const { data } = ctx.getImageData(0, 0, region.width, region.height);
  return { width: region.width, height: region.height, channels: 4 as const, data };
}

/**
 * `region`: the focus region asked for (null: none). `keep`: an embedding id that must stay in the
 * worker (the mask in progress uses it) even when the view has moved on.
 */
export function useFocusEmbedding(client: SamWorkerClient | null, image: ImageBitmap, checkpointId: string | null, region: FocusRegion | null, support: FocusSupport | null, keep: string | null): FocusView {
  const [view, setView] = useState<FocusView>(OFF);
  const created = useRef(new Set<string>());
  /** the embed in flight (the next one starts after it) */
  const running = useRef<Promise<unknown>>(Promise.resolve());

  useEffect(() => {
    if (!client || !checkpointId || !region) return setView(OFF);
    if (support && !support.available) return setView({ status: 'unavailable', reason: support.reason });
    if (!support) return setView(OFF);
    let cancelled = false;
    setView({ status: 'computing', region });
    // prompts and masks are in the region's frame (its 1024 model frame when it is larger)
    const frame = regionFrame(region);
    const embed = async () => {
      if (cancelled) return; // the view moved on before this one's turn
      const start = performance.now();
      try {
        const pixels = regionPixels(image, region);
        const { embeddingId } = await client.embed(pixels, { transfer: true, frame: { width: frame.width, height: frame.height } });
        if (cancelled) return void client.releaseEmbedding(embeddingId).catch(() => undefined);
        created.current.add(embeddingId);
        const end = performance.now();
        performance.measure(FOCUS_EMBED, { start, end, detail: { region } });
        setView({ status: 'ready', region, frame, embedding: { embeddingId, checkpointId, width: region.width, height: region.height } });
      } catch (error) {
        if (!cancelled) setView({ status: 'failed', region, message: (error as Error).message });
      }
    };
    running.current = running.current.then(embed);
    return () => {
      cancelled = true;
    };
  }, [client, image, checkpointId, region, support]);

  // the image closes: its focus embeddings leave the worker
  useEffect(() => {
    const ids = created.current;
    return () => {
      for (const id of ids) void client?.releaseEmbedding(id).catch(() => undefined);
      ids.clear();
    };
  }, [client]);

  // what is neither on screen nor kept leaves the worker (its slots hold the image's own embedding too)
  const current = view.status === 'ready' ? view.embedding.embeddingId : null;
  useEffect(() => {
    for (const id of created.current) {
      if (id === current || id === keep) continue;
      created.current.delete(id);
      void client?.releaseEmbedding(id).catch(() => undefined);
    }
  }, [client, current, keep]);

  // no region asked for: off at once (the effect's own update lands a render later)
  return region ? view : OFF;
}
