'use client';
// An upload batch: one ingest run (runs.beginUpload) that every file of the selection joins with
// ?runId=, so the Runs page shows the batch's progress. Files go up two at a time.
import type { SplitChoice } from '@dataengine/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { errorDetail, errorMessage, isUnauthenticated } from '../../lib/api-error';
import { forEachConcurrently } from '../../lib/concurrency';
import { redirectToLogin } from '../../lib/session';
import { useTRPC } from '../../lib/trpc';
import { uploadImageFile } from '../../lib/upload-image-file';

export type UploadState = 'queued' | 'uploading' | 'stored' | 'duplicate' | 'failed';

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  state: UploadState;
  progress: number;
  message: string | null;
  /** the technical detail of a refusal (behind "details") */
  detail: string | null;
}

const PARALLEL_UPLOADS = 2;

export function useUploadBatch(projectId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const beginUpload = useMutation(trpc.runs.beginUpload.mutationOptions());
  const [items, setItems] = useState<UploadItem[]>([]);
  const [busy, setBusy] = useState(false);

  const update = useCallback((key: string, patch: Partial<UploadItem>) => {
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);

  const refresh = useCallback(async () => {
    await Promise.all([
      queryClient.invalidateQueries(trpc.images.list.pathFilter()),
      queryClient.invalidateQueries(trpc.projects.get.queryFilter({ projectId })),
      queryClient.invalidateQueries(trpc.projects.list.queryFilter()),
      queryClient.invalidateQueries(trpc.images.heldOut.queryFilter({ projectId })),
    ]);
  }, [queryClient, trpc, projectId]);

  const start = useCallback(
    async (files: File[], split: SplitChoice = 'auto') => {
      if (files.length === 0 || busy) return;
      const batch = files.map((file, i) => ({ file, key: `${Date.now()}-${i}-${file.name}` }));
      setItems(batch.map(({ file, key }) => ({ key, name: file.name, size: file.size, state: 'queued', progress: 0, message: null, detail: null })));
      setBusy(true);
      try {
        const run = await beginUpload.mutateAsync({ projectId, files: files.length });
        await forEachConcurrently(batch, PARALLEL_UPLOADS, async ({ file, key }) => {
          update(key, { state: 'uploading' });
          try {
            const result = await uploadImageFile({ projectId, runId: run.id, file, split, onProgress: (progress) => update(key, { progress }) });
            update(key, {
              state: result.duplicate ? 'duplicate' : 'stored',
              progress: 1,
              message: result.duplicate ? `already in the project as ${result.image.fileName}` : null,
            });
          } catch (error) {
            if (isUnauthenticated(error)) redirectToLogin();
            update(key, { state: 'failed', message: errorMessage(error), detail: errorDetail(error) });
          }
        });
      } catch (error) {
        setItems((all) => all.map((item) => ({ ...item, state: 'failed', message: errorMessage(error) })));
      } finally {
        setBusy(false);
        await refresh();
      }
    },
    [beginUpload, busy, projectId, refresh, update],
  );

  return { items, busy, start };
}
