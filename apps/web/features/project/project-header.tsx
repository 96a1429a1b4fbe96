'use client';
import { STAGE_LABELS, stageSchema, type ProjectDto, type Stage } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

function StageSelect({ project }: { project: ProjectDto }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const setStage = useMutation(
    trpc.projects.setStage.mutationOptions({
      onSuccess: (updated) => {
        queryClient.setQueryData(trpc.projects.get.queryKey({ projectId: updated.id }), updated);
        void queryClient.invalidateQueries(trpc.projects.list.queryFilter());
      },
    }),
  );
  return (
    <span className="stage-control">
      <select
        aria-label="Stage"
        value={project.stage}
        disabled={setStage.isPending}
        onChange={(e) => setStage.mutate({ projectId: project.id, stage: e.target.value as Stage })}
        data-testid="stage-select"
      >
        {stageSchema.options.map((stage) => (
          <option key={stage} value={stage}>
            {STAGE_LABELS[stage]}
          </option>
        ))}
      </select>
      {setStage.isError && (
        <span className="inline-error" role="alert">
          {errorMessage(setStage.error)}
        </span>
      )}
    </span>
  );
}

/** The review queue's link, with how many images wait. */
function ReviewLink({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queue = useQuery(trpc.review.queue.queryOptions({ projectId, status: 'pending', limit: 1 }, { refetchInterval: 30_000 }));
  const pending = queue.data?.pending;
  return (
    <Link href={`/projects/${projectId}/review`} className="button" data-testid="review-link" data-pending={pending ?? ''}>
      Review{pending ? ` (${pending})` : ''}
    </Link>
  );
}

export function ProjectHeader({ project, canManage, canAnnotate, canReview = false }: { project: ProjectDto; canManage: boolean; canAnnotate: boolean; canReview?: boolean }) {
  return (
    <header className="project-header">
      <nav className="breadcrumbs">
        <Link href="/projects">Projects</Link> <span aria-hidden>›</span>
      </nav>
      <div className="project-title-row">
        <h1 data-testid="project-name">{project.name}</h1>
        {canAnnotate && project.stage !== 'fully_automatic' && (
          <Link href={`/projects/${project.id}/annotate`} className="button button-primary" data-testid="annotate-link">
            Annotate
          </Link>
        )}
        {canReview && <ReviewLink projectId={project.id} />}
      </div>
      {project.description && <p className="muted project-description">{project.description}</p>}
      <dl className="facts facts-inline">
        <div>
          <dt>Stage</dt>
          <dd data-testid="project-stage">
            {canManage ? <StageSelect project={project} /> : <span className={`stage-chip stage-${project.stage}`}>{STAGE_LABELS[project.stage]}</span>}
          </dd>
        </div>
        <div>
          <dt>Images</dt>
          <dd data-testid="project-image-count">{project.imageCount}</dd>
        </div>
        <div>
          <dt>My role</dt>
          <dd>{project.myRole ?? 'read access through your global role'}</dd>
        </div>
      </dl>
    </header>
  );
}
