'use client';
// The annotator's leased image: "Next image" (tasks.next: the held task again, or the next open
// one), the lease kept alive while the tool is open, and submit → next. The tool remembers that the
// user was working in the project, so a reload picks the same image up again.
import type { TaskDto } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** The lease is renewed this often while the tool is open (the brief: about every minute). */
const RENEW_MS = 60_000;
const workingKey = (projectId: string) => `dataengine.annotate.working.${projectId}`;

function remember(projectId: string, working: boolean): void {
  try {
    if (working) window.localStorage.setItem(workingKey(projectId), '1');
    else window.localStorage.removeItem(workingKey(projectId));
  } catch {
    // storage disabled: the user presses "Next image" after a reload
  }
}

export function useAnnotationTask(projectId: string) {
  const trpc = useTRPC();
  /** undefined: not asked yet; null: the queue is empty */
  const [task, setTask] = useState<TaskDto | null | undefined>(undefined);
  const [leaseError, setLeaseError] = useState<string | null>(null);
  const next = useMutation(trpc.tasks.next.mutationOptions());
  const submit = useMutation(trpc.tasks.submit.mutationOptions());
  const renew = useMutation(trpc.tasks.renew.mutationOptions());
  const skip = useMutation(trpc.tasks.skip.mutationOptions());
  const previous = useMutation(trpc.tasks.previous.mutationOptions());
  const queryClient = useQueryClient();
  const hasPrevious = useQuery(trpc.tasks.hasPrevious.queryOptions({ projectId }));

  const requestNext = useCallback(async () => {
    setLeaseError(null);
    const t = await next.mutateAsync({ projectId });
    setTask(t);
    remember(projectId, t !== null);
  }, [next, projectId]);

  useEffect(() => {
    let resume = false;
    try {
      resume = window.localStorage.getItem(workingKey(projectId)) === '1';
    } catch {
      resume = false;
    }
    if (resume) void requestNext().catch(() => undefined); // shown from the mutation state
    // once per project: keyed on the id only (the mutation object changes every render)
  }, [projectId]);

  const taskId = task?.id;
  useEffect(() => {
    if (!taskId) return;
    const timer = setInterval(() => {
      renew.mutateAsync({ taskId }).then(
        () => setLeaseError(null),
        (e: unknown) => setLeaseError(errorMessage(e)),
      );
    }, RENEW_MS);
    return () => clearInterval(timer);
    // keyed on the task id only (the mutation object changes every render)
  }, [taskId]);

  const refreshPrevious = useCallback(() => queryClient.invalidateQueries(trpc.tasks.hasPrevious.queryFilter({ projectId })), [queryClient, trpc, projectId]);

  /** `emptyConfirmed`: the annotator answered "no objects here" for an image without masks. */
  const submitAndNext = useCallback(
    async (activeMs: number, emptyConfirmed = false) => {
      if (!task) return;
      await submit.mutateAsync({ taskId: task.id, activeMs, ...(emptyConfirmed ? { emptyConfirmed } : {}) });
      void refreshPrevious();
      await requestNext();
    },
    [refreshPrevious, requestNext, submit, task],
  );

  /** Gives the image back with a reason (it never comes back to this annotator), then the next one. */
  const skipAndNext = useCallback(
    async (reason: string) => {
      if (!task) return;
      await skip.mutateAsync({ taskId: task.id, reason });
      await requestNext();
    },
    [requestNext, skip, task],
  );

  /** Re-opens the image submitted last (while not reviewed); the image open now goes back to the queue. */
  const openPrevious = useCallback(async () => {
    setLeaseError(null);
    const t = await previous.mutateAsync({ projectId });
    void refreshPrevious();
    if (t) {
      setTask(t);
      remember(projectId, true);
    }
    return t;
  }, [previous, projectId, refreshPrevious]);

  return {
    task,
    requestNext,
    submitAndNext,
    skipAndNext,
    openPrevious,
    hasPrevious: hasPrevious.data?.available ?? false,
    nextState: next,
    submitState: submit,
    skipState: skip,
    previousState: previous,
    leaseError,
  };
}
