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

  it('keeps images uploaded as val in val and draws only the rest of the share', () => {
    const s = splitByImage(images(20, [3, 4, 5]), 1, 0.25);
    expect(s.val).toHaveLength(5);
    expect(s.val).toEqual(expect.arrayContaining([3, 4, 5]));
    expect(splitByImage(images(20, [3, 4, 5]), 1, 0)).toEqual({ train: images(20).map((im) => im.id).filter((id) => ![3, 4, 5].includes(id)), val: [3, 4, 5] });
  });
});
