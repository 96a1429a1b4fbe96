// Which side of the held-out line an image falls on. `auto` (the default at upload and import)
// applies the project's val share by content hash: the first 32 bits of the image's sha-256, as a
// fraction of 2^32, below the share → val. The same bytes always land on the same side, whoever
// uploads them and however often; the backfill migration (20261128090000_held_out_set) used the
// same rule in SQL.
import type { SplitChoice } from '@dataengine/contracts';

export type Split = 'train' | 'val';

/** The share a new project holds out: 1 image in 10. */
export const DEFAULT_VAL_SHARE = 0.1;

/** Position of an image in [0, 1) by its content hash (hex sha-256). */
export function hashPosition(contentHash: string): number {
  const head = Number.parseInt(contentHash.slice(0, 8), 16);
  if (!/^[0-9a-f]{8}/i.test(contentHash) || !Number.isFinite(head)) throw new RangeError(`not a hex content hash: ${contentHash.slice(0, 16)}`);
  return head / 2 ** 32;
}

export function splitOf(choice: SplitChoice | undefined, contentHash: string, valShare: number): Split {
  if (choice === 'train' || choice === 'val') return choice;
  return hashPosition(contentHash) < valShare ? 'val' : 'train';
}
