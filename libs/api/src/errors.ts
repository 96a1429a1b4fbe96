import { TRPCError } from '@trpc/server';
import { AppError, type ErrorCode } from '@dataengine/contracts';
import { databaseInputProblem, isDatabaseUnavailableError, type DatabaseInputProblem } from '@dataengine/db';
import { isRedisUnavailableError } from '@dataengine/queue';
import { isBlobStoreUnavailableError } from '@dataengine/storage';
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
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/**
 * Turns anything thrown by a use case into an AppError: caller-fault errors keep their message,
 * unreachable PostgreSQL/Redis become 503 with a clear message, input the database refused (a NUL
 * in text, a number beyond its column, a reference to a missing row) a 4xx saying so, everything
 * else a logged 500.
 */
export function toAppError(error: unknown, logger: Logger, context: Record<string, unknown> = {}): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TRPCError && error.cause instanceof AppError) return error.cause;
  // first: an unreachable S3 endpoint fails with ECONNREFUSED too, which the database and Redis checks read as theirs
  if (isBlobStoreUnavailableError(error)) {
    logger.warn('object storage unavailable', { ...context, reason: error.reason, error: error.message });
    const message =
      error.reason === 'unreachable'
        ? 'the object storage (S3) is unreachable; try again shortly — nothing you saved is lost'
        : `the object storage (S3) refuses requests (${error.reason === 'credentials' ? 'credentials refused' : 'bucket missing'}); an administrator must fix the S3 settings (the API log says which)`;
    return new AppError('SERVICE_UNAVAILABLE', message, undefined, { cause: error });
  }
  if (isDatabaseUnavailableError(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'the database (PostgreSQL) is unreachable; try again shortly — nothing you saved is lost', undefined, { cause: error });
  }
  if (isRedisUnavailableError(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'the job queue (Redis) is unreachable; try again shortly', undefined, { cause: error });
  }
  const problem = databaseInputProblem(error);
  if (problem) {
    // the caller's input, as the database refused it; logged, since a use case should have caught it first
    logger.warn('database refused the input', { ...context, problem });
    return fromDatabaseInputProblem(problem, error);
  }
  logger.error('unexpected error', { ...context, error });
  return new AppError('INTERNAL', 'an unexpected error occurred; it has been logged');
}

/** `checkpoint_id` → `checkpoint` */
const entityOf = (column: string) => column.replace(/_id$/, '').replace(/_/g, ' ');

function fromDatabaseInputProblem(problem: DatabaseInputProblem, cause: unknown): AppError {
  switch (problem.kind) {
    case 'nul-in-text':
      return new AppError('BAD_REQUEST', 'a text value (e-mail, name, file name…) contains a NUL character (\\0); remove control characters and send it again', undefined, { cause });
    case 'out-of-range':
      return new AppError('BAD_REQUEST', `a number in the request is out of range: ${problem.detail}`, undefined, { cause });
    case 'missing-reference':
      return new AppError(
        'NOT_FOUND',
        problem.column ? `the ${entityOf(problem.column)} this refers to (${problem.column}) does not exist; it may have been deleted — check the id` : 'a record this refers to does not exist; it may have been deleted — check the ids',
        undefined,
        { cause },
      );
    case 'still-referenced':
      return new AppError('CONFLICT', `this ${problem.table ? `${problem.table.replace(/s$/, '').replace(/_/g, ' ')} ` : ''}is still referenced by other records, so it cannot be removed`, undefined, { cause });
    case 'not-found':
      return new AppError('NOT_FOUND', `the ${problem.model ? problem.model.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'record'} to change does not exist (any more); reload and try again`, undefined, { cause });
  }
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODES[error.code], message: error.message, cause: error });
}
