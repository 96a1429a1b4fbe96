import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { errorMessage, errorStatus, HttpError, shouldRetry } from './api-error';

const trpcError = (message: string, httpStatus: number) => TRPCClientError.from({ error: { message, code: -32600, data: { httpStatus, code: 'X' } } });

describe('errorStatus and shouldRetry', () => {
  it('reads the HTTP status of both transports and retries only what may succeed later', () => {
    expect(errorStatus(trpcError('nope', 403))).toBe(403);
    expect(errorStatus(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'x'))).toBe(415);
    expect(errorStatus(new Error('network'))).toBeNull();
    expect(shouldRetry(0, trpcError('nope', 401))).toBe(false);
    expect(shouldRetry(0, trpcError('down', 503))).toBe(true);
    expect(shouldRetry(2, trpcError('down', 503))).toBe(false);
  });
});

describe('errorMessage', () => {
  it("shows the API's message, and input-validation issues in words", () => {
    expect(errorMessage(trpcError('wrong e-mail or password', 401))).toBe('wrong e-mail or password');
    const zod = JSON.stringify([{ code: 'invalid_format', path: ['projectId'], message: 'Invalid UUID' }]);
    expect(errorMessage(trpcError(zod, 400))).toBe('the request was not valid (projectId: Invalid UUID)');
    expect(errorMessage(new TypeError('x is undefined'))).toBe('something went wrong; reload the page and try again');
  });
});
