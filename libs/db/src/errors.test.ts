import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailableError } from './errors';

// The shapes below are what @prisma/adapter-pg 7.10 + pg 8.23 produced when a backend was
// terminated, the server refused connections or reset the socket (recorded against PostgreSQL).
const wrapped = (code: string, cause: Record<string, unknown>, message = 'Raw query failed.') =>
  Object.assign(new Error(message), { name: 'PrismaClientKnownRequestError', code, meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } });

describe('isDatabaseUnavailableError', () => {
  it('knows a terminated backend (57P01) inside a Prisma error', () => {
    const error = wrapped('P2010', { originalCode: '57P01', originalMessage: 'terminating connection due to administrator command', kind: 'postgres', code: '57P01', severity: 'FATAL' }, 'Raw query failed. Code: `57P01`.');
    expect(isDatabaseUnavailableError(error)).toBe(true);
  });

  it('knows refused connections, reset sockets and dead pool clients', () => {
    expect(isDatabaseUnavailableError(wrapped('P2010', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }))).toBe(true);
    expect(isDatabaseUnavailableError(wrapped('P1001', { kind: 'DatabaseNotReachable' }, "Can't reach database server at 127.0.0.1:5432"))).toBe(true);
    expect(isDatabaseUnavailableError(wrapped('P2010', { kind: 'ConnectionClosed' }))).toBe(true);
    expect(isDatabaseUnavailableError(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDatabaseUnavailableError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailableError(new Error('outer', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }))).toBe(true);
  });

  it('leaves query errors alone', () => {
    expect(isDatabaseUnavailableError(wrapped('P2003', { kind: 'ForeignKeyConstraintViolation', constraint: { index: 'Mask_checkpointId_fkey' } }))).toBe(false);
    expect(isDatabaseUnavailableError(wrapped('P2010', { kind: 'postgres', code: '22P02', originalCode: '22P02', message: 'invalid input syntax for type uuid' }))).toBe(false);
    expect(isDatabaseUnavailableError(new Error('Unique constraint failed'))).toBe(false);
    expect(isDatabaseUnavailableError(undefined)).toBe(false);
  });
});
