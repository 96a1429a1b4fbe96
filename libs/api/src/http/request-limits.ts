// Bounds on what a /trpc request may carry, checked from its headers and URL before anything reads
// the body: a 100 MB sign-in body is refused in microseconds, unread, whoever sends it. tRPC's own
// maxBodySize/maxBatchSize stay as the backstop for bodies without a Content-Length (chunked).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPC_MAX_BODY_BYTES_DEFAULT } from '@dataengine/config';
import { AppError, TRPC_MAX_BATCH_SIZE } from '@dataengine/contracts';

export interface RequestLimits {
  /** Largest /trpc request body in bytes (config TRPC_MAX_BODY_BYTES). */
  trpcMaxBodyBytes: number;
  /** Most procedure calls in one batched /trpc request (@dataengine/contracts TRPC_MAX_BATCH_SIZE). */
  trpcMaxBatchSize: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { trpcMaxBodyBytes: TRPC_MAX_BODY_BYTES_DEFAULT, trpcMaxBatchSize: TRPC_MAX_BATCH_SIZE };

/** The refusal of a /trpc request its headers already rule out, or null. */
export function checkTrpcRequest(req: IncomingMessage, url: URL, limits: RequestLimits): AppError | null {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.trpcMaxBodyBytes) {
    return new AppError('PAYLOAD_TOO_LARGE', trpcBodyTooLarge(limits, declared));
  }
  if (url.searchParams.get('batch') === '1') {
    const calls = url.pathname.slice('/trpc/'.length).split(',').length;
    if (calls > limits.trpcMaxBatchSize) {
      return new AppError('BAD_REQUEST', `this request batches ${calls} calls; at most ${limits.trpcMaxBatchSize} are accepted in one request — send them in several`);
    }
  }
  return null;
}

export function trpcBodyTooLarge(limits: RequestLimits, declared?: number): string {
  return `the request body is ${declared !== undefined ? `${declared} bytes` : 'too large'}; the API accepts at most ${limits.trpcMaxBodyBytes} bytes per request (TRPC_MAX_BODY_BYTES) — send less in one request`;
}

/**
 * How long, and how much of the rest of a refused body, is read and dropped before the connection
 * closes. The time bound is what matters for a slow or busy client (one that has not read the
 * answer yet when the reset arrives loses it): 2 s was not enough on a loaded machine, so it is
 * 10 s, as lingering closes in web servers go; the byte bound keeps a fast sender from costing more.
 */
const LINGER_MS = 10_000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * Prepares the answer to a request refused before its body was read: the answer goes out at once
 * with `Connection: close`, then the connection lingers — what the client still sends is dropped
 * unparsed, for at most LINGER_MS / LINGER_BYTES — before it closes. Closing at once would leave
 * unread bytes in the socket, and the reset that causes can destroy the answer in the client
 * before it is read (a browser then shows a network error instead of the message).
 */
export function lingerAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || res.headersSent) return;
  res.setHeader('Connection', 'close');
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    // the answer itself is sent now; only the end of the exchange waits
    const [chunk] = args;
    if (chunk !== undefined && typeof chunk !== 'function') res.write(chunk as string | Buffer);
    let dropped = 0;
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      req.off('data', onData);
      end();
    };
    const onData = (piece: Buffer) => {
      dropped += piece.length;
      if (dropped > LINGER_BYTES) finish();
    };
    const timer = setTimeout(finish, LINGER_MS);
    req.on('data', onData);
    req.once('end', finish);
    req.once('close', finish);
    req.resume();
    return res;
  }) as ServerResponse['end'];
}

/**
 * Reads a /trpc body of unknown length (chunked, as the web app's proxy sends) up to `limit`
 * bytes: its text, or null once it passes the limit — the rest is left unread for
 * lingerAfterAnswer, so the refusal reaches the client before the connection closes. (tRPC's own
 * limit cancels the body stream by destroying the request, which can reset the connection before
 * the client has read the 413.)
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: string | null) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        return done(null);
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks).toString('utf8'));
    const onError = (error: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
