import type { ServerResponse } from 'node:http';
import type { AppError, ErrorBody } from '@dataengine/contracts';

/** Seconds a client should wait before retrying a request refused because PostgreSQL or Redis is away. */
export const RETRY_AFTER_SECONDS = 5;

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
  if (error.code === 'SERVICE_UNAVAILABLE') res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  sendJson(res, error.httpStatus, body);
}
