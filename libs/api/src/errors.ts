import { TRPCError } from '@trpc/server';
import { AppError, type ErrorCode } from '@dataengine/contracts';
import { isDatabaseUnavailableError } from '@dataengine/db';
import { isRedisUnavailableError } from '@dataengine/queue';
import type { Logger } from '@dataengine/config';

const TRPC_CODES: Record<ErrorCode, TRPCError['code']> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE: 'UNPROCESSABLE_CONTENT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/**
 * Turns anything thrown by a use case into an AppError: caller-fault errors keep their message,
 * unreachable PostgreSQL/Redis become 503 with a clear message, everything else a logged 500.
 */
export function toAppError(error: unknown, logger: Logger, context: Record<string, unknown> = {}): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TRPCError && error.cause instanceof AppError) return error.cause;
  if (isDatabaseUnavailableError(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'the database (PostgreSQL) is unreachable; try again shortly — nothing you saved is lost', undefined, { cause: error });
  }
  if (isRedisUnavailableError(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'the job queue (Redis) is unreachable; try again shortly', undefined, { cause: error });
  }
  logger.error('unexpected error', { ...context, error });
  return new AppError('INTERNAL', 'an unexpected error occurred; it has been logged');
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODES[error.code], message: error.message, cause: error });
}
