const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', 'P1001', 'P1002', 'P1017']);

/** True when an error means "PostgreSQL cannot be reached right now", as opposed to a bad query. */
export function isDatabaseUnavailableError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const err = e as { code?: unknown; message?: unknown; cause?: unknown; name?: unknown };
    if (typeof err.code === 'string' && UNAVAILABLE_CODES.has(err.code)) return true;
    const message = typeof err.message === 'string' ? err.message : '';
    if (/ECONNREFUSED|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|Can't reach database server|DatabaseNotReachable/i.test(message)) return true;
    if (err.name === 'DriverAdapterError' && /connect|terminat/i.test(message)) return true;
    e = err.cause;
  }
  return false;
}
