// Row ids as the API accepts them: bounded to what their database columns hold, so an id no row
// can have is refused as bad input (400) instead of reaching PostgreSQL as an overflow.
import { z } from 'zod';

/** Largest value of a PostgreSQL `integer` (serial ids: images; counts stored as int). */
export const MAX_INT32 = 2_147_483_647;
/** Largest value of a PostgreSQL `bigint` (bigserial ids: masks, tasks). */
export const MAX_INT64 = 9_223_372_036_854_775_807n;

const INT32_RANGE = `a whole number from 1 to ${MAX_INT32}`;

/** A serial (int4) row id, e.g. an image id. */
export const serialIdSchema = z.number().int(`an id is ${INT32_RANGE}`).min(1, `an id is ${INT32_RANGE}`).max(MAX_INT32, `an id is ${INT32_RANGE}`);

/** A positive count or number stored in an int4 column (a version, a mask count). */
export const positiveInt32Schema = z.number().int(`must be ${INT32_RANGE}`).min(1, `must be ${INT32_RANGE}`).max(MAX_INT32, `must be ${INT32_RANGE}`);

/** A bigserial (int8) row id sent as a decimal string, e.g. a mask or task id. */
export const bigSerialIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, `an id is a decimal whole number from 1 to ${MAX_INT64}`)
  .refine((value) => BigInt(value) <= MAX_INT64, `an id is a decimal whole number from 1 to ${MAX_INT64}`);

/** `value` as a serial id, or null when it is not one (path parameters of the binary routes). */
export function parseSerialId(value: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= MAX_INT32 ? id : null;
}
