import { createRng, deriveSeed } from '../prng';

export interface ImageSplit {
  train: number[];
  val: number[];
}

/** Stream number so the split does not reuse any scene's random stream. */
const SPLIT_STREAM = 0x5b117;

/**
 * Deterministic train/val split: a seeded shuffle, the first round(n · valFraction) go to val.
 * Both lists come back sorted ascending; together they hold every id exactly once.
 */
export function splitImageIds(ids: readonly number[], seed: number, valFraction: number): ImageSplit {
  if (!(valFraction >= 0 && valFraction <= 1)) throw new RangeError(`valFraction must be in [0, 1], got ${valFraction}`);
  const shuffled = [...ids];
  const rng = createRng(deriveSeed(seed, SPLIT_STREAM));
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const valCount = Math.round(shuffled.length * valFraction);
  const byNumber = (a: number, b: number): number => a - b;
  return { val: shuffled.slice(0, valCount).sort(byNumber), train: shuffled.slice(valCount).sort(byNumber) };
}
