// Uploads one image file of an upload batch to the project's image route.
import { uploadResultSchema, type SplitChoice, type UploadResultDto } from '@dataengine/contracts';
import { readJsonAnswer, uploadFile } from './upload-file';

export interface UploadRequest {
  projectId: string;
  runId: string;
  file: File;
  /** held-out assignment: auto (the project's val share; the default), train or val */
  split?: SplitChoice;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function uploadUrl(projectId: string, fileName: string, runId: string, split: SplitChoice = 'auto'): string {
  const params = new URLSearchParams({ name: fileName, runId, ...(split === 'auto' ? {} : { split }) });
  return `/api/projects/${encodeURIComponent(projectId)}/images?${params.toString()}`;
}

export function uploadImageFile(request: UploadRequest): Promise<UploadResultDto> {
  return uploadFile({ url: uploadUrl(request.projectId, request.file.name, request.runId, request.split), file: request.file, schema: uploadResultSchema, what: 'the upload', onProgress: request.onProgress, signal: request.signal });
}

/** Parses the route's answer: {image, duplicate} on success, {error:{code,message}} otherwise. */
export const readUploadResponse = (status: number, text: string): UploadResultDto => readJsonAnswer(status, text, uploadResultSchema, 'the upload');
