// Sends an annotation file to the API's import route (through the same-origin proxy) with upload
// progress; the answer is the import run. XMLHttpRequest: only XHR reports upload progress.
import { runSchema, type RunDto } from '@dataengine/contracts';
import { HttpError } from '../../lib/api-error';
import { importUrl, type ImportFormat } from './exchange-format';

export interface ImportRequest {
  projectId: string;
  format: ImportFormat;
  file: File;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function uploadImportFile(request: ImportRequest): Promise<RunDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', importUrl(request.projectId, request.format));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) request.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      try {
        resolve(readImportResponse(xhr.status, xhr.responseText));
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

/** The route's answer: the import run (202), or {error:{code,message}}. */
export function readImportResponse(status: number, text: string): RunDto {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(status, 'BAD_RESPONSE', `the server answered ${status} without a readable body; try again`);
  }
  if (status >= 200 && status < 300) return runSchema.parse(body);
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `the import upload failed (HTTP ${status})`;
  throw new HttpError(status, typeof error?.code === 'string' ? error.code : 'HTTP_ERROR', message);
}
