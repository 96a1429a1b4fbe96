'use client';
// The image viewer page (/projects/<id>/images/<imageId>): the image with its masks, the work and
// reviews on it, and the previous / next image of the project grid (← → keys).
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { QueryError } from '../../components/error-notice';
import { rememberLastProject } from '../../lib/last-project';
import { useCurrentUser } from '../../components/session-gate';
import { useTRPC } from '../../lib/trpc';
import { ImageFacts } from './image-facts';
import { ImageViewerPanel } from './image-viewer-panel';

export function ImageViewerView({ projectId, imageId }: { projectId: string; imageId: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const user = useCurrentUser();
  const view = useQuery(trpc.viewer.image.queryOptions({ imageId }));
  const data = view.data;
  const href = (id: number | null) => (id === null ? null : `/projects/${projectId}/images/${id}`);
  const prev = href(data?.prevImageId ?? null);
  const next = href(data?.nextImageId ?? null);

  useEffect(() => rememberLastProject(user.id, projectId), [user.id, projectId]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.key === 'ArrowLeft' && prev) router.push(prev);
      if (e.key === 'ArrowRight' && next) router.push(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [prev, next, router]);

  if (view.isError) return <QueryError error={view.error} what="the image" />;
  if (!data) return <p className="muted">Loading the image…</p>;
  return (
    <div className="viewer-page" data-testid="viewer-page">
      <header className="viewer-header">
        <nav className="breadcrumbs">
          <Link href="/projects">Projects</Link> <span aria-hidden>›</span> <Link href={`/projects/${projectId}`}>{data.project.name}</Link> <span aria-hidden>›</span>
        </nav>
        <div className="viewer-title-row">
          <h1 data-testid="viewer-file-name">{data.image.fileName}</h1>
          <span className="muted small">
            {data.image.width}×{data.image.height} · {data.image.split} · image {data.position} of {data.total}
          </span>
          <span className="viewer-nav">
            {prev ? (
              <Link href={prev} className="button button-small" data-testid="viewer-prev" title="previous image (←)">
                ← Previous
              </Link>
            ) : (
              <span className="button button-small is-disabled">← Previous</span>
            )}
            {next ? (
              <Link href={next} className="button button-small" data-testid="viewer-next" title="next image (→)">
                Next →
              </Link>
            ) : (
              <span className="button button-small is-disabled">Next →</span>
            )}
          </span>
        </div>
      </header>
      <ImageViewerPanel key={data.image.id} view={data} />
      <ImageFacts view={data} />
    </div>
  );
}
