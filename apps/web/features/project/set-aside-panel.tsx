'use client';
// The project's managers: images annotators skipped until they were set aside, with who skipped
// them and why, and a way to put each back in the queue (for the annotators who did not skip it).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { errorMessage } from '../../lib/api-error';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';

export function SetAsidePanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.tasks.setAside.queryOptions({ projectId }));
  const putBack = useMutation(trpc.tasks.returnSetAside.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.tasks.setAside.queryFilter({ projectId })) }));
  if (!list.data || list.data.length === 0) return null; // nothing to look at: no panel
  return (
    <section className="panel" data-testid="set-aside-panel">
      <h2 className="panel-title">
        Skipped by annotators <span className="muted">{list.data.length}</span>
      </h2>
      <p className="small muted">Each was skipped by two annotators and left the queue. Look at it, then put it back (it never goes to those who skipped it) or leave it out.</p>
      <ul className="set-aside-list">
        {list.data.map((t) => (
          <li key={t.taskId} data-testid="set-aside-item" data-task-id={t.taskId}>
            <Link href={`/projects/${projectId}/images/${t.imageId}`}>{t.fileName}</Link>
            <ul className="small">
              {t.skips.map((s) => (
                <li key={`${s.annotator}-${s.at}`}>
                  <strong>{s.annotator}</strong>: {s.reason} <span className="muted">({formatDateTime(s.at)})</span>
                </li>
              ))}
            </ul>
            <button type="button" className="button button-small" onClick={() => putBack.mutate({ taskId: t.taskId })} disabled={putBack.isPending} data-testid="set-aside-return">
              Back to the queue
            </button>
          </li>
        ))}
      </ul>
      {putBack.isError && <p className="inline-error">{errorMessage(putBack.error)}</p>}
    </section>
  );
}
