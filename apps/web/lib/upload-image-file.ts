// Sends one file to the API's upload route (through the same-origin proxy) with progress events.
// XMLHttpRequest rather than fetch: only XHR reports upload progress in browsers today.
import { uploadResultSchema, type UploadResultDto } from '@dataengine/contracts';
import { HttpError } from './api-error';

export interface UploadRequest {
  projectId: string;
  runId: string;
  file: File;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function uploadUrl(projectId: string, fileName: string, runId: string): string {
  const params = new URLSearchParams({ name: fileName, runId });
  return `/api/projects/${encodeURIComponent(projectId)}/images?${params.toString()}`;
}

export function uploadImageFile(request: UploadRequest): Promise<UploadResultDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', uploadUrl(request.projectId, request.file.name, request.runId));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) request.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      try {
        resolve(readUploadResponse(xhr.status, xhr.responseText));
      } catch (error) {
        reject(error);
      }
    };
    xhr.onerror = () => reject(new HttpError(0, 'NETWORK', 'the upload was interrupted (network error); try again'));
    xhr.onabort = () => reject(new HttpError(0, 'ABORTED', 'the upload was cancelled'));
    request.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(request.file);
  });
}

/** Parses the route's answer: {image, duplicate} on success, {error:{code,message}} otherwise. */
export function readUploadResponse(status: number, text: string): UploadResultDto {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(status, 'BAD_RESPONSE', `the server answered ${status} without a readable body; try again`);
  }
  if (status >= 200 && status < 300) return uploadResultSchema.parse(body);
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `the upload failed (HTTP ${status})`;
  throw new HttpError(status, typeof error?.code === 'string' ? error.code : 'HTTP_ERROR', message);
}
