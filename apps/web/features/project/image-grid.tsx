'use client';
import type { ImageDto } from '@dataengine/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { useCurrentUser } from '../../components/session-gate';
import { canOpenOpsConsole } from '../../lib/permissions';
import { MAX_PICKED_IMAGES, useSavedSelection } from '../../lib/saved-selection';
import { useTRPC } from '../../lib/trpc';
import { ImageTile } from './image-tile';
import { useTileWork } from './use-tile-work';

/** While any loaded image is still being ingested, the grid re-reads its pages this often. */
const PENDING_POLL_MS = 2_000;

const hasPending = (pages: { items: ImageDto[] }[] | undefined) => pages?.some((p) => p.items.some((i) => i.status === 'pending')) ?? false;

export function ImageGrid({ projectId, imageCount, pageSize }: { projectId: string; imageCount: number; pageSize: number }) {
  const trpc = useTRPC();
  const images = useInfiniteQuery(
    trpc.images.list.infiniteQueryOptions(
      { projectId, limit: pageSize },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        refetchInterval: (query) => (hasPending(query.state.data?.pages) ? PENDING_POLL_MS : false),
      },
    ),
  );
  const loaded = images.data?.pages.reduce((n, p) => n + p.items.length, 0) ?? 0;
  const work = useTileWork(projectId, images.data?.pages ?? []);
  const user = useCurrentUser();
  const picked = useSavedSelection(projectId);
  const [picking, setPicking] = useState(false);
  const [full, setFull] = useState(false);
  const pickedSet = new Set(picked.ids);

  return (
    <section className="grid-section" data-testid="image-grid-section">
      <div className="section-header">
        <h2>Images</h2>
        <span className="muted" data-testid="image-grid-count">
          showing {loaded} of {Math.max(imageCount, loaded)}
        </span>
        <button type="button" className={picking ? 'button button-small button-primary' : 'button button-small'} onClick={() => setPicking((p) => !p)} aria-pressed={picking} data-testid="grid-select">
          {picking ? 'Done picking' : 'Select…'}
        </button>
      </div>
      {(picking || picked.ids.length > 0) && (
        <div className="selection-bar small" data-testid="selection-bar" data-count={picked.ids.length}>
          <strong>{picked.ids.length} picked</strong>
          {picking && <span className="muted">click tiles to pick or unpick them</span>}
          {full && (
            <span className="inline-error" data-testid="selection-full">
              at most {MAX_PICKED_IMAGES} picked: select more with the run form&apos;s filters
            </span>
          )}
          {picked.ids.length > 0 && canOpenOpsConsole(user) && (
            <Link href={`/ops?project=${projectId}&selection=saved`} className="button button-small" data-testid="use-in-run">
              Use in a run →
            </Link>
          )}
          {picked.ids.length > 0 && (
            <button type="button" className="button button-small button-quiet" onClick={picked.clear} data-testid="selection-clear">
              Clear
            </button>
          )}
        </div>
      )}
      {images.isError && <QueryError error={images.error} what="the images" />}
      {images.isPending && <p className="muted">Loading images…</p>}
      {images.data && loaded === 0 && (
        <p className="empty" data-testid="images-empty">
          No images yet.
        </p>
      )}
      <div className="image-grid" data-testid="image-grid">
        {images.data?.pages.map((page) => page.items.map((image) => <ImageTile key={image.id} image={image} work={work.get(image.id)} picking={picking} picked={pickedSet.has(image.id)} onPick={() => setFull(!picked.toggle(image.id))} />))}
      </div>
      {images.hasNextPage && (
        <button type="button" className="button load-more" onClick={() => void images.fetchNextPage()} disabled={images.isFetchingNextPage} data-testid="load-more">
          {images.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
