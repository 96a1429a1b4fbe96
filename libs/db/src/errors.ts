// "PostgreSQL cannot be reached right now" as opposed to "this query is wrong". The errors arrive
// in several wrappings: node-postgres errors (a SQLSTATE in `code`, or a socket errno), Prisma's
// connection errors (P1001…), and DriverAdapterErrors from @prisma/adapter-pg, which Prisma wraps
// in a PrismaClientKnownRequestError (P2010 for raw queries) whose `meta.driverAdapterError.cause`
// holds `{ kind, code? }`.

/** SQLSTATEs, errnos and Prisma codes that mean the server or the connection is gone. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown: pg_terminate_backend, fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
  '08000', // connection_exception and its subclasses
  '08003',
  '08006',
  '08001',
  '08004',
  'P1001', // can't reach database server
  'P1002', // server timed out
  'P1008', // operation timed out
  'P1017', // server has closed the connection
  'P2024', // timed out fetching a connection from the pool
]);

/** DriverAdapterError kinds (@prisma/driver-adapter-utils) that mean the connection is gone. */
const UNAVAILABLE_ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);

const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|Can't reach database server|DatabaseNotReachable|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery)|Server has closed the connection|Client has encountered a connection error and is not queryable|Client was closed and is not queryable/i;

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** True when an error means "PostgreSQL cannot be reached right now", as opposed to a bad query. */
export function isDatabaseUnavailableError(error: unknown): boolean {
  const pending: unknown[] = [error];
  for (let seen = 0; pending.length > 0 && seen < 12; seen++) {
    const e = pending.shift();
    if (!e || typeof e !== 'object') continue;
    const err = e as ErrorLike;
    if (typeof err.code === 'string' && UNAVAILABLE_CODES.has(err.code)) return true;
    if (typeof err.originalCode === 'string' && UNAVAILABLE_CODES.has(err.originalCode)) return true;
    if (typeof err.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(err.kind)) return true;
    const message = typeof err.message === 'string' ? err.message : '';
    if (UNAVAILABLE_MESSAGE.test(message)) return true;
    if (err.name === 'DriverAdapterError' && /connect|terminat/i.test(message)) return true;
    pending.push(err.cause, err.meta?.driverAdapterError);
  }
  return false;
}

/** What about a request PostgreSQL refused: the caller's input, not the server's state. */
export type DatabaseInputProblem =
  /** a text value with a NUL character (PostgreSQL text cannot hold one) */
  | { kind: 'nul-in-text' }
  /** a number beyond its column's type (e.g. an id of 2^31 for an integer key) */
  | { kind: 'out-of-range'; detail: string }
  /** a foreign key naming a row that does not exist: `column` of `table` */
  | { kind: 'missing-reference'; table: string | null; column: string | null }
  /** a row still referenced by others, so it cannot be deleted or re-keyed */
  | { kind: 'still-referenced'; table: string | null }
  /** the row an update or delete was for does not exist (any more) */
  | { kind: 'not-found'; model: string | null };

interface PrismaLike {
  code?: unknown;
  meta?: { modelName?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown; kind?: unknown; cause?: unknown; constraint?: { index?: unknown } } } };
}

/**
 * Recognises the database errors that are the caller's fault (Prisma codes P2003, P2020, P2025 and
 * the SQLSTATEs behind them, as @prisma/adapter-pg reports them), or null.
 */
export function databaseInputProblem(error: unknown): DatabaseInputProblem | null {
  if (!error || typeof error !== 'object') return null;
  const err = error as PrismaLike;
  const cause = err.meta?.driverAdapterError?.cause;
  const sqlState = typeof cause?.originalCode === 'string' ? cause.originalCode : null;
  const original = typeof cause?.originalMessage === 'string' ? cause.originalMessage : '';
  if (sqlState === '22021' || sqlState === '22P05' || /invalid byte sequence for encoding "UTF8": 0x00|unsupported Unicode escape sequence/.test(original)) return { kind: 'nul-in-text' };
  if (err.code === 'P2020' || sqlState === '22003') return { kind: 'out-of-range', detail: original || 'a number is out of range for its column' };
  if (err.code === 'P2003' || sqlState === '23503') {
    const table = /on table "([^"]+)"/.exec(original)?.[1] ?? null;
    if (/is still referenced/.test(original) || /^update or delete on table/.test(original)) return { kind: 'still-referenced', table };
    const constraint = typeof cause?.constraint?.index === 'string' ? cause.constraint.index : (/constraint "([^"]+)"/.exec(original)?.[1] ?? null);
    const column = constraint && table && constraint.startsWith(`${table}_`) && constraint.endsWith('_fkey') ? constraint.slice(table.length + 1, -'_fkey'.length) : null;
    return { kind: 'missing-reference', table, column };
  }
  if (err.code === 'P2025') return { kind: 'not-found', model: typeof err.meta?.modelName === 'string' ? err.meta.modelName : null };
  return null;
}
