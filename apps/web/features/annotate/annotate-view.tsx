'use client';
// /projects/[id]/annotate: the annotator's queue (Next image / Submit), the SAM worker with the
// active checkpoint's decoder, the image and its embedding, and the workspace for the leased image.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { ErrorNotice, QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { ImageWorkspace } from './image-workspace';
import { useAnnotationTask } from './use-annotation-task';
import { useImageEmbedding } from './use-image-embedding';
import { useDraftStore, useSaveQueue } from './use-save-queue';
import { useSamWorker } from './use-sam-worker';

/** An open tool notices a promoted checkpoint within this time, without a reload. */
const CHECKPOINT_POLL_MS = 30_000;

async function loadImage(url: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.decoding = 'async';
  img.src = url;
  await img.decode();
  return img;
}

export function AnnotateView({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const checkpoint = useQuery(trpc.checkpoints.active.queryOptions({ projectId }, { refetchInterval: CHECKPOINT_POLL_MS }));
  const { client, decoder } = useSamWorker(checkpoint.data);
  const store = useDraftStore();
  const queue = useSaveQueue(store);
  const { task, requestNext, submitAndNext, nextState, submitState, leaseError } = useAnnotationTask(projectId);
  const image = useQuery({
    queryKey: ['annotate', 'image', task?.image.url],
    enabled: Boolean(task),
    staleTime: Infinity,
    gcTime: 60_000,
    queryFn: () => loadImage(task!.image.url),
  });
  const embedding = useImageEmbedding(client, task?.image.id ?? null, decoder.status === 'ready' ? decoder.checkpointId : null);
  const switchedFrom = useModelSwitchNotice(checkpoint.data?.id ?? null);

  const submit = async (activeMs: number) => {
    await queue.flush();
    await submitAndNext(activeMs);
  };

  if (project.isError) return <QueryError error={project.error} what="the project" />;
  return (
    <div className="annotate-page" data-testid="annotate-page" data-project-id={projectId}>
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
      </header>
      {switchedFrom && (
        <p className="notice notice-info" data-testid="model-switched">
          A new model was promoted; the tool now uses {checkpoint.data?.name}. Masks you accept from now on are made with it.
        </p>
      )}
      {checkpoint.data === null && <ErrorNotice title="No model is active">Interactive segmentation is off until ops register a checkpoint. You can still brush masks by hand.</ErrorNotice>}
      {decoder.status === 'failed' && <ErrorNotice title="The decoder could not start">{decoder.message}</ErrorNotice>}
      {nextState.isError && <ErrorNotice title="Could not get an image">{errorMessage(nextState.error)}</ErrorNotice>}
      {submitState.isError && <ErrorNotice title="Could not submit the image">{errorMessage(submitState.error)}</ErrorNotice>}
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
          image={image.data}
          client={client}
          embedding={embedding.data ?? null}
          checkpointId={decoder.status === 'ready' ? decoder.checkpointId : null}
          store={store}
          outbox={queue.entries}
          enqueue={queue.enqueue}
          discard={queue.discard}
          onSubmit={submit}
          submitting={submitState.isPending || nextState.isPending}
        />
      )}
    </div>
  );
}

/** The previous checkpoint id once the active one changed while the tool was open. */
function useModelSwitchNotice(checkpointId: string | null): string | null {
  const first = useRef<string | null>(null);
  const [from, setFrom] = useState<string | null>(null);
  useEffect(() => {
    if (!checkpointId) return;
    if (first.current === null) first.current = checkpointId;
    else if (checkpointId !== first.current) {
      setFrom(first.current);
      first.current = checkpointId;
    }
  }, [checkpointId]);
  return from;
}
