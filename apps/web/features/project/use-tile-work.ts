'use client';
// The work summary of the grid's loaded images (stage, task status, review, masks), one request
// per page of ids, refreshed with the grid.
import type { ImageTileWorkDto } from '@dataengine/contracts';
import { useQueries } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';

/** How often the tiles' numbers are read again while the page is open. */
const TILE_WORK_REFRESH_MS = 30_000;

export function useTileWork(projectId: string, pages: readonly { items: readonly { id: number }[] }[]): Map<number, ImageTileWorkDto> {
  const trpc = useTRPC();
  const results = useQueries({
    queries: pages.map((page) =>
      trpc.viewer.tiles.queryOptions({ projectId, imageIds: page.items.map((i) => i.id) }, { enabled: page.items.length > 0, refetchInterval: TILE_WORK_REFRESH_MS }),
    ),
  });
  const byId = new Map<number, ImageTileWorkDto>();
  for (const r of results) for (const w of r.data ?? []) byId.set(w.imageId, w);
  return byId;
}
