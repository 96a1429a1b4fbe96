import { describe, expect, it } from 'vitest';
import { splitByImage } from './sa1b-dataset';

const images = (n: number, val: number[] = []) => Array.from({ length: n }, (_, i) => ({ id: i + 1, split: val.includes(i + 1) ? ('val' as const) : ('train' as const) }));

describe('splitByImage', () => {
  it('is a seeded, deterministic split of every image into train or val', () => {
    const a = splitByImage(images(50), 7, 0.2);
    expect(a.val).toHaveLength(10);
    expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(images(50).map((im) => im.id));
    expect(splitByImage(images(50), 7, 0.2)).toEqual(a);
    expect(splitByImage(images(50), 8, 0.2).val).not.toEqual(a.val);
  });

  it('with a held-out set: val is exactly the val images, whatever the fraction and seed; they never train', () => {
    const rest = images(20).map((im) => im.id).filter((id) => ![3, 4, 5].includes(id));
    for (const [seed, fraction] of [[1, 0.25], [2, 0.5], [1, 0]] as const) {
      expect(splitByImage(images(20, [3, 4, 5]), seed, fraction)).toEqual({ train: rest, val: [3, 4, 5] });
    }
    // a train image never lands in val to fill a share either
    expect(splitByImage(images(20, [7]), 1, 0.5)).toEqual({ train: images(20).map((im) => im.id).filter((id) => id !== 7), val: [7] });
  });
});
