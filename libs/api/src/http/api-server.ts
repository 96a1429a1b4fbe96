import http from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { AppError } from '@dataengine/contracts';
import { createLoginThrottle } from '@dataengine/engine';
import type { ApiDeps } from '../api-deps';
import { toAppError } from '../errors';
import { appRouter } from '../router';
import type { ApiContext } from '../trpc';
import { matchBinaryRoute } from './binary-routes';
import { readSessionToken } from './cookies';
import { createEventsRoute } from './events-route';
import { matchExchangeRoute } from './exchange-routes';
import { matchStatsRoute } from './stats-routes';
import { checkReadiness } from './readiness';
import { clientAddressOf, createProxyTrust, requestHostOf } from './client-address';
import { RETRY_AFTER_SECONDS, retryAfterOf, sendError, sendJson, sendTrpcError } from './respond';
import { checkTrpcRequest, DEFAULT_REQUEST_LIMITS, lingerAfterAnswer, readBoundedBody, trpcBodyTooLarge, type RequestLimits } from './request-limits';
import { checkSameOrigin } from './same-origin';
import { setSecurityHeaders } from './security-headers';

/** The API process's HTTP surface: /trpc, binary routes under /api, /healthz and /readyz. */
export function createApiServer(deps: ApiDeps): http.Server {
  const events = createEventsRoute(deps, deps.queuePrefix);
  const proxyTrust = createProxyTrust(deps.trustedProxies ?? ['loopback']);
  const allowedOrigins = deps.allowedOrigins ?? [];
  const loginThrottle = createLoginThrottle(deps.redis, deps.queuePrefix, deps.logger);
  const limits: RequestLimits = { ...DEFAULT_REQUEST_LIMITS, ...deps.requestLimits };
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    // backstops for bodies without a Content-Length (checkTrpcRequest refuses the others unread)
    maxBodySize: limits.trpcMaxBodyBytes,
    maxBatchSize: limits.trpcMaxBatchSize,
    createContext: ({ req, res }): ApiContext => ({
      deps,
      sessionToken: readSessionToken(req),
      userAgent: req.headers['user-agent'] ?? null,
      clientAddress: clientAddressOf(req, proxyTrust),
      loginThrottle,
      setCookie: (cookie) => res.appendHeader('Set-Cookie', cookie),
    }),
    // a call refused because PostgreSQL or Redis is away, a sign-in lock or a busy password check
    // tells the client when to retry, as the binary routes do
    responseMeta: ({ errors }) => {
      const waits = errors.map((e) => (e.cause instanceof AppError ? retryAfterOf(e.cause) : e.code === 'SERVICE_UNAVAILABLE' ? RETRY_AFTER_SECONDS : null));
      const wait = Math.max(0, ...waits.filter((w): w is number => w !== null));
      return wait > 0 ? { headers: { 'Retry-After': String(wait) } } : {};
    },
  });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://api.local');
    const method = req.method ?? 'GET';
    setSecurityHeaders(res);
    const handle = async () => {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const readiness = await checkReadiness(deps);
        if (!readiness.ready) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
        return sendJson(res, readiness.ready ? 200 : 503, readiness);
      }
      const origin = checkSameOrigin({ method, headers: req.headers, requestHost: requestHostOf(req, proxyTrust), allowedOrigins });
      if (!origin.allowed) {
        req.resume();
        const refusal = new AppError('FORBIDDEN', origin.reason);
        return url.pathname.startsWith('/trpc/') ? sendTrpcError(res, refusal) : sendError(res, refusal);
      }
      if (url.pathname.startsWith('/trpc/')) {
        const refusal = checkTrpcRequest(req, url, limits);
        if (!refusal && method !== 'GET' && req.headers['content-length'] === undefined) {
          // a body of unknown length is read here, bounded, and handed to tRPC as text
          const body = await readBoundedBody(req, limits.trpcMaxBodyBytes);
          if (body === null) {
            lingerAfterAnswer(req, res);
            return sendTrpcError(res, new AppError('PAYLOAD_TOO_LARGE', trpcBodyTooLarge(limits)));
          }
          (req as http.IncomingMessage & { body?: string }).body = body;
          return trpc(req, res);
        }
        if (!refusal) return trpc(req, res);
        lingerAfterAnswer(req, res);
        return sendTrpcError(res, refusal);
      }
      if (url.pathname === '/api/events' && method === 'GET') return events.handle(req, res);
      const route = matchBinaryRoute(method, url.pathname) ?? matchExchangeRoute(method, url.pathname) ?? matchStatsRoute(method, url.pathname);
      if (route) return route(deps, req, res, url);
      throw new AppError('NOT_FOUND', `no route for ${method} ${url.pathname}`);
    };
    handle().catch((error: unknown) => {
      sendError(res, toAppError(error, deps.logger, { method, path: url.pathname }));
    });
  });
  server.on('close', () => void events.close());
  return server;
}
