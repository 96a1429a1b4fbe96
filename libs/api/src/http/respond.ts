import type { ServerResponse } from 'node:http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { AppError, ErrorBody } from '@dataengine/contracts';
import { toTRPCError } from '../errors';

/** Seconds a client should wait before retrying a request refused because PostgreSQL or Redis is away. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Retry-After of a refused request: what the error says (details.retryAfterSeconds: a sign-in
 * lock, a busy password check), else RETRY_AFTER_SECONDS for an unreachable service; null for
 * errors a retry will not cure.
 */
export function retryAfterOf(error: AppError): number | null {
  const stated = error.details?.['retryAfterSeconds'];
  if (typeof stated === 'number' && Number.isFinite(stated) && stated > 0) return Math.ceil(stated);
  return error.code === 'SERVICE_UNAVAILABLE' ? RETRY_AFTER_SECONDS : null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

export function sendError(res: ServerResponse, error: AppError): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== null) res.setHeader('Retry-After', String(retryAfter));
  sendJson(res, error.httpStatus, body);
}

/** An error answered before tRPC saw the request, in tRPC's shape (a batch client applies it to every call). */
export function sendTrpcError(res: ServerResponse, error: AppError): void {
  const code = toTRPCError(error).code;
  sendJson(res, error.httpStatus, { error: { message: error.message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: error.httpStatus, appCode: error.code } } });
}
