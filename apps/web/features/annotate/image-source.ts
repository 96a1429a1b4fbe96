'use client';
// The leased image's pixels as an ImageBitmap: fetched, then decoded by createImageBitmap off the
// main thread (a 6000×4000 JPEG would block the page for a long while with <img>.decode on some
// browsers), drawn with one drawImage per frame. Shared by the open image and the prefetch.
import type { QueryClient } from '@tanstack/react-query';
import { HttpError } from '../../lib/api-error';

export interface LoadedImage {
  bitmap: ImageBitmap;
  /** A downscaled copy for zoomed-out views of large images (drawing 24 Mpx per frame is slow). */
  preview: ImageBitmap | null;
}

/** Images whose long side exceeds this get a preview of this long side. */
export const PREVIEW_SIDE = 2048;

export async function loadBitmap(url: string, signal?: AbortSignal): Promise<LoadedImage> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new HttpError(res.status, 'HTTP_ERROR', `the image could not be loaded (HTTP ${res.status})`);
  const bitmap = await createImageBitmap(await res.blob());
  const long = Math.max(bitmap.width, bitmap.height);
  if (long <= PREVIEW_SIDE) return { bitmap, preview: null };
  const k = PREVIEW_SIDE / long;
  const preview = await createImageBitmap(bitmap, { resizeWidth: Math.round(bitmap.width * k), resizeHeight: Math.round(bitmap.height * k), resizeQuality: 'medium' });
  return { bitmap, preview };
}

/** Bitmaps are large (W·H·4 bytes): kept only a little while after the tool moves on. */
const BITMAP_GC_MS = 60_000;

export const imageQuery = (url: string | undefined) => ({
  queryKey: ['annotate', 'image', url] as const,
  staleTime: Infinity,
  gcTime: BITMAP_GC_MS,
  queryFn: ({ signal }: { signal: AbortSignal }) => loadBitmap(url!, signal),
});

export function prefetchImage(queryClient: QueryClient, url: string): Promise<void> {
  return queryClient.prefetchQuery(imageQuery(url));
}
