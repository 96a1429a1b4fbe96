'use client';
// The review queue (/projects/<id>/review): the project's managers go through the submitted images
// the QA sampling picked — every stage-2/3 image and autogen output unless the project turned
// that off — and accept or reject each; the decided tab lists who decided what, and why.
import type { ReviewDto } from '@dataengine/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ErrorNotice, QueryError } from '../../components/error-notice';
import { useCurrentUser } from '../../components/session-gate';
import { projectAbilities } from '../../lib/permissions';
import { useTRPC } from '../../lib/trpc';
import { ImageViewerPanel } from '../viewer/image-viewer-panel';
import { DecisionPanel } from './decision-panel';
import { ReviewQueueList } from './review-queue-list';

const QUEUE_REFRESH_MS = 15_000;

export function ReviewView({ projectId, reviewId, tab }: { projectId: string; reviewId: string | null; tab: 'pending' | 'decided' }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const user = useCurrentUser();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const queue = useQuery(trpc.review.queue.queryOptions({ projectId, status: tab, limit: 100 }, { refetchInterval: QUEUE_REFRESH_MS }));
  const items = queue.data?.items ?? [];
  const picked = items.find((r) => r.id === reviewId) ?? null;
  const wanted = reviewId !== null && reviewId !== 'done' ? reviewId : null;
  const single = useQuery(trpc.review.get.queryOptions({ reviewId: wanted ?? '1' }, { enabled: wanted !== null && picked === null }));
  const review: ReviewDto | null = picked ?? single.data ?? (reviewId === null ? (items[0] ?? null) : null);
  const view = useQuery(trpc.viewer.image.queryOptions({ imageId: review?.imageId ?? 1 }, { enabled: review !== null }));
  const [rejected, setRejected] = useState<{ reviewId: string; ids: Set<string> }>({ reviewId: '', ids: new Set() });
  const rejectIds = rejected.reviewId === review?.id ? rejected.ids : new Set<string>();

  if (project.data && !projectAbilities(user, project.data).review) {
    return (
      <ErrorNotice title="Review is for the project's managers" testId="forbidden">
        Accepting and rejecting annotators&apos; work is for this project&apos;s managers and admins. You can still open any image from the project page to see its masks.
      </ErrorNotice>
    );
  }

  const onDecided = (decided: ReviewDto) => {
    const nextItem = items.find((r) => r.status === 'pending' && r.id !== decided.id && BigInt(r.id) > BigInt(decided.id)) ?? items.find((r) => r.status === 'pending' && r.id !== decided.id);
    void queryClient.invalidateQueries(trpc.review.queue.pathFilter());
    void queryClient.invalidateQueries(trpc.viewer.image.queryFilter({ imageId: decided.imageId }));
    router.replace(`/projects/${projectId}/review?tab=${tab}${nextItem ? `&review=${nextItem.id}` : '&review=done'}`);
  };
  const toggleReject = (maskId: string) => {
    const next = new Set(rejectIds);
    if (!next.delete(maskId)) next.add(maskId);
    setRejected({ reviewId: review!.id, ids: next });
  };
  const tabLink = (t: 'pending' | 'decided', label: string) => (
    <Link href={`/projects/${projectId}/review?tab=${t}`} className={t === tab ? 'tab tab-active' : 'tab'} data-testid={`review-tab-${t}`}>
      {label}
    </Link>
  );

  return (
    <div className="review-page" data-testid="review-page">
      <header className="viewer-header">
        <nav className="breadcrumbs">
          <Link href="/projects">Projects</Link> <span aria-hidden>›</span> <Link href={`/projects/${projectId}`}>{project.data?.name ?? '…'}</Link> <span aria-hidden>›</span>
        </nav>
        <div className="viewer-title-row">
          <h1>Review</h1>
          <span className="muted small" data-testid="review-pending-count" data-pending={queue.data?.pending ?? ''}>
            {queue.data ? `${queue.data.pending} image${queue.data.pending === 1 ? '' : 's'} waiting` : ''}
          </span>
          <nav className="tabs">
            {tabLink('pending', 'To review')}
            {tabLink('decided', 'Decided')}
          </nav>
        </div>
      </header>
      {queue.isError && <QueryError error={queue.error} what="the review queue" />}
      <div className="review-layout">
        <aside className="review-side">{queue.data && <ReviewQueueList projectId={projectId} items={items} selectedId={review?.id ?? null} tab={tab} />}</aside>
        <div className="review-main">
          {reviewId === 'done' && !review && <p className="empty" data-testid="review-all-done">All caught up: nothing else waits for review.</p>}
          {view.isError && <QueryError error={view.error} what="the image" />}
          {review && view.data && view.data.image.id === review.imageId && (
            <ImageViewerPanel
              key={review.id}
              view={view.data}
              reject={review.status === 'pending' ? { picked: rejectIds, toggle: toggleReject } : undefined}
              aside={<DecisionPanel review={review} masks={view.data.masks.length} rejected={[...rejectIds]} onDecided={onDecided} />}
            />
          )}
        </div>
      </div>
    </div>
  );
}
