import { describe, expect, it } from 'vitest';
import { databaseInputProblem, isDatabaseUnavailableError } from './errors';

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

describe('databaseInputProblem', () => {
  const known = (code: string, cause: Record<string, unknown> | undefined, modelName = 'Mask') =>
    Object.assign(new Error('x'), { name: 'PrismaClientKnownRequestError', code, meta: { modelName, ...(cause ? { driverAdapterError: { name: 'DriverAdapterError', cause } } : {}) } });

  it('names the column of a missing reference, and tells a delete that is still referenced apart', () => {
    expect(databaseInputProblem(known('P2003', { originalCode: '23503', originalMessage: 'insert or update on table "masks" violates foreign key constraint "masks_checkpoint_id_fkey"', kind: 'ForeignKeyConstraintViolation', constraint: { index: 'masks_checkpoint_id_fkey' } }))).toEqual({
      kind: 'missing-reference',
      table: 'masks',
      column: 'checkpoint_id',
    });
    expect(databaseInputProblem(known('P2003', { originalCode: '23503', originalMessage: 'update or delete on table "checkpoints" violates foreign key constraint "masks_checkpoint_id_fkey" on table "masks"', kind: 'ForeignKeyConstraintViolation' }))).toMatchObject({ kind: 'still-referenced' });
  });

  it('knows NUL characters, numbers beyond their column and rows that are gone', () => {
    expect(databaseInputProblem(known('P2039', { originalCode: '22021', originalMessage: 'invalid byte sequence for encoding "UTF8": 0x00', kind: 'postgres' }))).toEqual({ kind: 'nul-in-text' });
    expect(databaseInputProblem(known('P2020', { originalCode: '22003', originalMessage: 'value "2147483648" is out of range for type integer', kind: 'ValueOutOfRange' }))).toEqual({ kind: 'out-of-range', detail: 'value "2147483648" is out of range for type integer' });
    expect(databaseInputProblem(known('P2025', undefined, 'User'))).toEqual({ kind: 'not-found', model: 'User' });
    expect(databaseInputProblem(known('P2002', { originalCode: '23505', kind: 'UniqueConstraintViolation' }))).toBeNull();
    expect(databaseInputProblem(new Error('boom'))).toBeNull();
  });
});
