'use client';
// The annotator's leased image: "Next image" (tasks.next: the held task again, or the next open
// one), the lease kept alive while the tool is open, and submit → next. The tool remembers that the
// user was working in the project, so a reload picks the same image up again.
import type { TaskDto } from '@dataengine/contracts';
import { useMutation } from '@tanstack/react-query';
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

  const submitAndNext = useCallback(
    async (activeMs: number) => {
      if (!task) return;
      await submit.mutateAsync({ taskId: task.id, activeMs });
      await requestNext();
    },
    [requestNext, submit, task],
  );

  return { task, requestNext, submitAndNext, nextState: next, submitState: submit, leaseError };
}
