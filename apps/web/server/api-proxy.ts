// The same-origin proxy: the browser only ever talks to the web origin; these route handlers
// forward /trpc/* and /api/* to the API process (API_INTERNAL_URL, read at run time) and stream
// both bodies through, so a 20 MB upload never sits in the web server's memory.
import { ERROR_HTTP_STATUS } from '@dataengine/contracts';
import { serverEnv } from '../server-env';
import { logEvent } from './log';
import { downstreamResponseHeaders, isNullBodyStatus, upstreamRequestHeaders } from './proxy-headers';

/** What the browser gets when the API cannot be reached; each transport has its own error shape. */
export type UnreachableResponder = (message: string) => Response;

const UNREACHABLE_MESSAGE = 'the API server is unreachable; try again shortly';
const UNREACHABLE_STATUS = ERROR_HTTP_STATUS.SERVICE_UNAVAILABLE;

export async function forwardToApi(request: Request, unreachable: UnreachableResponder): Promise<Response> {
  const incoming = new URL(request.url);
  const target = new URL(incoming.pathname + incoming.search, serverEnv().API_INTERNAL_URL);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  const headers = upstreamRequestHeaders(request.headers, { host: request.headers.get('host'), proto: incoming.protocol.replace(':', '') });
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      // stream the request body instead of buffering it (required by Node's fetch for streams)
      duplex: 'half',
      redirect: 'manual',
      cache: 'no-store',
      signal: request.signal,
    } as RequestInit & { duplex: 'half' });
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    logEvent('error', 'API request failed', { component: 'api-proxy', method: request.method, path: incoming.pathname, target: target.origin, error, cause });
    return unreachable(UNREACHABLE_MESSAGE);
  }
  const body = isNullBodyStatus(upstream.status) || request.method === 'HEAD' ? null : upstream.body;
  return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers: downstreamResponseHeaders(upstream.headers) });
}

/** Error body of the binary routes (ErrorBody in @dataengine/contracts). */
export const binaryRouteUnreachable: UnreachableResponder = (message) =>
  Response.json({ error: { code: 'SERVICE_UNAVAILABLE', message } }, { status: UNREACHABLE_STATUS, headers: { 'cache-control': 'no-store', 'retry-after': '5' } });

/** A tRPC-shaped error, so the client reports the message instead of a parse failure. */
export const trpcUnreachable: UnreachableResponder = (message) =>
  Response.json(
    { error: { message, code: -32603, data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: UNREACHABLE_STATUS, appCode: 'SERVICE_UNAVAILABLE' } } },
    { status: UNREACHABLE_STATUS, headers: { 'cache-control': 'no-store', 'retry-after': '5' } },
  );
