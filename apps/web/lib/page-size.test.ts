import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_PAGE_SIZE, MAX_IMAGE_PAGE_SIZE, parseImagePageSize } from './page-size';

describe('parseImagePageSize', () => {
  it('takes a positive integer within the API bound, else the default', () => {
    expect(parseImagePageSize('5')).toBe(5);
    expect(parseImagePageSize(['7', '9'])).toBe(7);
    expect(parseImagePageSize('100000')).toBe(MAX_IMAGE_PAGE_SIZE);
    for (const bad of [undefined, '', '0', '-3', '2.5', 'many']) expect(parseImagePageSize(bad)).toBe(DEFAULT_IMAGE_PAGE_SIZE);
  });
});
