// Sends one file to an API upload route (through the same-origin proxy) with progress events and
// parses the JSON answer. XMLHttpRequest rather than fetch: only XHR reports upload progress in
// browsers today.
import type { z } from 'zod';
import { HttpError } from './api-error';

export interface FileUploadRequest<T> {
  url: string;
  file: File;
  /** schema of a successful answer's body */
  schema: z.ZodType<T>;
  /** what failed, for a failure without an error body ("the upload", "the import upload") */
  what: string;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function uploadFile<T>(request: FileUploadRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', request.url);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) request.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      try {
        resolve(readJsonAnswer(xhr.status, xhr.responseText, request.schema, request.what));
      } catch (error) {
        reject(error);
      }
    };
    xhr.onerror = () => reject(new HttpError(0, 'NETWORK', `${request.what} was interrupted (network error); try again`));
    xhr.onabort = () => reject(new HttpError(0, 'ABORTED', `${request.what} was cancelled`));
    request.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(request.file);
  });
}

/** Parses a route's answer: the schema's body on success, {error:{code,message}} otherwise. */
export function readJsonAnswer<T>(status: number, text: string, schema: z.ZodType<T>, what: string): T {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(status, 'BAD_RESPONSE', `the server answered ${status} without a readable body; try again`);
  }
  if (status >= 200 && status < 300) return schema.parse(body);
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: { detail?: unknown } } } | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `${what} failed (HTTP ${status})`;
  const detail = typeof error?.details?.detail === 'string' ? error.details.detail : null;
  throw new HttpError(status, typeof error?.code === 'string' ? error.code : 'HTTP_ERROR', message, detail);
}
