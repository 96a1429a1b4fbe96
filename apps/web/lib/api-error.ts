// One way to read errors from either transport: tRPC (TRPCClientError) or the binary routes
// (HttpError built from their {error:{code,message}} body).
import { TRPCClientError } from '@trpc/client';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** the technical detail behind the message (shown behind a "details" toggle) */
    readonly detail: string | null = null,
  ) {
    super(message);
  }
}

/** The technical detail of an API error, when it gave one. */
export const errorDetail = (error: unknown): string | null => (error instanceof HttpError ? error.detail : null);

/** The HTTP status behind an API error, or null for anything else (network failures, bugs). */
export function errorStatus(error: unknown): number | null {
  if (error instanceof HttpError) return error.status || null;
  if (error instanceof TRPCClientError) {
    const data = error.data as { httpStatus?: unknown } | undefined;
    return typeof data?.httpStatus === 'number' ? data.httpStatus : null;
  }
  return null;
}

export const isUnauthenticated = (error: unknown): boolean => errorStatus(error) === 401;
export const isForbidden = (error: unknown): boolean => errorStatus(error) === 403;

/** Caller-fault errors (4xx) are not worth retrying: the same request gets the same answer. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const status = errorStatus(error);
  if (status !== null && status >= 400 && status < 500) return false;
  return failureCount < 2;
}

/** tRPC reports failed input validation as the JSON of zod's issues; say it in words. */
function readableMessage(message: string): string {
  if (!message.startsWith('[')) return message;
  try {
    const issues = JSON.parse(message) as { path?: (string | number)[]; message?: string }[];
    const lines = issues.map((i) => (i.path?.length ? `${i.path.join('.')}: ${i.message ?? 'invalid'}` : (i.message ?? 'invalid')));
    return `the request was not valid (${lines.join('; ')})`;
  } catch {
    return message; // not JSON after all: show it as it is
  }
}

/** The API's messages are written for users; fall back to a generic line for anything else. */
export function errorMessage(error: unknown): string {
  if (error instanceof HttpError) return error.message;
  if (error instanceof TRPCClientError) return readableMessage(error.message);
  return 'something went wrong; reload the page and try again';
}
