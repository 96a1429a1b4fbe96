import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT } from './cli-command.types';

/** node:util parseArgs in strict mode; unknown flags and missing values become usage errors. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\nusage: ${usage}`, EXIT.usage);
  }
}

/** "1,2,3" → [1, 2, 3]; every part must be a finite number. */
export function parseNumberList(value: string, what: string, counts: readonly number[]): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (!counts.includes(parts.length) || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) {
    throw new CliError(`malformed ${what} "${value}": expected ${counts.map((c) => `${c} comma-separated numbers`).join(' or ')}`, EXIT.usage);
  }
  return nums;
}

export function parsePositiveInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${what} must be a positive integer, got "${value}"`, EXIT.usage);
  return n;
}
