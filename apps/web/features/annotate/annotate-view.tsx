'use client';
// /projects/[id]/annotate: the annotator's queue (Next image / Submit), the SAM worker with the
// active checkpoint's decoder (switched live when ops promote another: server-sent events), the
// image and its embedding, the workspace for the leased image, and the prefetch of the next one.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { ErrorNotice, QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import './annotate-extra.css';
import { imageQuery, prefetchImage } from './image-source';
import { ImageWorkspace } from './image-workspace';
import { ReviewReturnNotice } from './review-return-notice';
import { useAnnotationTask } from './use-annotation-task';
import { useActiveCheckpoint, useModelSwitchToast } from './use-checkpoint-events';
import { prefetchEmbedding, useImageEmbedding } from './use-image-embedding';
import { useDraftStore, useSaveQueue } from './use-save-queue';
import { useSamWorker } from './use-sam-worker';
import { useActiveLabel } from './use-active-label';

export function AnnotateView({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const labels = useQuery(trpc.labels.list.queryOptions({ projectId }));
  const labelSet = useMemo(() => labels.data ?? [], [labels.data]);
  const [activeLabelId, pickLabel] = useActiveLabel(projectId, labelSet);
  const checkpoint = useActiveCheckpoint(projectId);
  const { client, decoder } = useSamWorker(checkpoint.data);
  const store = useDraftStore();
  const queue = useSaveQueue(store);
  const { task, requestNext, submitAndNext, skipAndNext, openPrevious, hasPrevious, nextState, submitState, skipState, previousState, leaseError } = useAnnotationTask(projectId);
  const image = useQuery({ ...imageQuery(task?.image.url), enabled: Boolean(task) });
  const decoderCheckpointId = decoder.status === 'ready' ? decoder.checkpointId : null;
  const embedding = useImageEmbedding(client, task?.image.id ?? null, decoderCheckpointId);
  const switched = useModelSwitchToast(decoderCheckpointId, checkpoint.data?.id === decoderCheckpointId ? (checkpoint.data?.name ?? null) : null);
  const prefetched = usePrefetchNext(projectId, task?.image.id ?? null, embedding.isSuccess && image.isSuccess ? client : null, decoderCheckpointId);

  const submit = async (activeMs: number, emptyConfirmed?: boolean) => {
    await queue.flush();
    await submitAndNext(activeMs, emptyConfirmed);
  };
  const skip = async (reason: string) => {
    await queue.flush();
    await skipAndNext(reason);
  };
  const previous = () => void queue.flush().then(openPrevious).catch(() => undefined); // shown from the mutation state

  if (project.isError) return <QueryError error={project.error} what="the project" />;
  return (
    <div className="annotate-page" data-testid="annotate-page" data-project-id={projectId} data-prefetched-image-id={prefetched ?? ''}>
      <header className="annotate-header">
        <nav className="breadcrumbs">
          <Link href="/projects">Projects</Link> <span aria-hidden>›</span> <Link href={`/projects/${projectId}`}>{project.data?.name ?? '…'}</Link> <span aria-hidden>›</span>
        </nav>
        <h1>Annotate</h1>
        <span className="muted small" data-testid="model-status" data-status={decoder.status}>
          {checkpoint.data ? `model: ${checkpoint.data.name}` : checkpoint.isPending ? 'model: …' : 'no model is active'}
          {decoder.status === 'loading' && ' (loading…)'}
        </span>
        {task && (
          <span className="muted small" data-testid="task-image">
            {task.image.fileName} · {task.image.width}×{task.image.height}
          </span>
        )}
        {!task && (
          <button type="button" className="button button-primary" onClick={() => void requestNext().catch(() => undefined)} disabled={nextState.isPending} data-testid="next-image">
            {nextState.isPending ? 'Loading…' : task === null ? 'Check the queue again' : 'Next image'}
          </button>
        )}
        {!task && hasPrevious && (
          <button type="button" className="button" onClick={previous} disabled={previousState.isPending} data-testid="previous-image" title="re-open the image you submitted last">
            ← Previous image
          </button>
        )}
      </header>
      {switched && (
        <div className="annotate-toast notice notice-info" role="status" data-testid="model-switched" data-checkpoint-id={switched.checkpointId}>
          The tool now uses the newly promoted model <strong>{switched.name}</strong>; masks you accept from now on are made with it.
        </div>
      )}
      {checkpoint.data === null && <ErrorNotice title="No model is active">Interactive segmentation is off until ops register a checkpoint. You can still brush masks by hand.</ErrorNotice>}
      {decoder.status === 'failed' && <ErrorNotice title="The decoder could not start">{decoder.message}</ErrorNotice>}
      {nextState.isError && <ErrorNotice title="Could not get an image">{errorMessage(nextState.error)}</ErrorNotice>}
      {submitState.isError && <ErrorNotice title="Could not submit the image">{errorMessage(submitState.error)}</ErrorNotice>}
      {previousState.isError && <ErrorNotice title="Could not re-open your last image">{errorMessage(previousState.error)}</ErrorNotice>}
      {previousState.isSuccess && previousState.data === null && (
        <p className="notice notice-info" data-testid="no-previous">
          There is no submitted image of yours to go back to (or it was reviewed meanwhile).
        </p>
      )}
      {task?.returned && <ReviewReturnNotice returned={task.returned} />}
      {leaseError && <ErrorNotice title="Your hold on this image">{leaseError}</ErrorNotice>}
      {embedding.isError && <ErrorNotice title="Could not prepare the image">{errorMessage(embedding.error)}</ErrorNotice>}
      {image.isError && <ErrorNotice title="Could not load the image">{errorMessage(image.error)}</ErrorNotice>}
      {queue.offline && (
        <p className="notice notice-info" data-testid="save-offline">
          {queue.offline}
        </p>
      )}
      {task === null && (
        <p className="empty" data-testid="queue-empty">
          No images are waiting in this project&apos;s queue. Well done!
        </p>
      )}
      {task === undefined && !nextState.isPending && (
        <p className="muted" data-testid="annotate-start">
          Press <strong>Next image</strong> to lease the next image of the queue. Press <kbd>?</kbd> in the tool for shortcuts.
        </p>
      )}
      {task && image.data && (
        <ImageWorkspace
          key={task.id}
          task={task}
          membership={project.data?.myRole ?? null}
          image={image.data}
          client={client}
          embedding={embedding.data ?? null}
          checkpointId={decoder.status === 'ready' ? decoder.checkpointId : null}
          focusSupport={decoder.status === 'ready' ? decoder.focus : null}
          store={store}
          outbox={queue.entries}
          enqueue={queue.enqueue}
          discard={queue.discard}
          onSubmit={submit}
          submitting={submitState.isPending || nextState.isPending}
          onSkip={skip}
          skipping={skipState.isPending || nextState.isPending}
          skipError={skipState.isError ? errorMessage(skipState.error) : null}
          onPrevious={hasPrevious ? previous : null}
          labels={labelSet}
          activeLabelId={activeLabelId}
          onPickLabel={pickLabel}
        />
      )}
    </div>
  );
}

/**
 * While the open image is annotated, the next image of the queue (peeked, not leased) gets its
 * bytes decoded and its embedding put into the worker, so its first click is instant.
 */
function usePrefetchNext(projectId: string, currentImageId: number | null, client: ReturnType<typeof useSamWorker>['client'], checkpointId: string | null): number | null {
  const trpcClient = useTRPCClient();
  const queryClient = useQueryClient();
  const [prefetched, setPrefetched] = useState<{ after: number; checkpointId: string; id: number } | null>(null);
  useEffect(() => {
    if (currentImageId === null || client === null || checkpointId === null) return;
    let live = true;
    void (async () => {
      // asked afresh for every open image (the queue moved); a peek holds nothing
      const next = await trpcClient.tasks.peekNext.query({ projectId });
      if (!live || !next || next.id === currentImageId || next.status !== 'ready') return;
      await Promise.all([prefetchImage(queryClient, next.url), prefetchEmbedding(queryClient, client, next.id, checkpointId)]);
      if (live) setPrefetched({ after: currentImageId, checkpointId, id: next.id });
    })().catch(() => undefined); // a failed prefetch is only a miss: the image loads when opened
    return () => {
      live = false;
    };
  }, [projectId, currentImageId, client, checkpointId, queryClient, trpcClient]);
  // what was prefetched while the image open now was open (not a stale answer from the previous one)
  return prefetched && prefetched.after === currentImageId && prefetched.checkpointId === checkpointId ? prefetched.id : null;
}
