import { describe, expect, it } from 'vitest';
import {
  RleError,
  compressRle,
  decodeRle,
  decompressRle,
  encodeMask,
  parseCompressedRle,
  parseUncompressedRle,
  rleFromString,
  rleToString,
} from './index';

function expectRleError(fn: () => unknown, message: RegExp): void {
  expect(fn).toThrow(RleError);
  expect(fn).toThrow(message);
}

describe('RLE validation', () => {
  it('accepts a valid compressed RLE and returns a typed copy', () => {
    expect(parseCompressedRle({ size: [3, 3], counts: '414', extra: 1 })).toEqual({ size: [3, 3], counts: '414' });
    expect(parseUncompressedRle({ size: [3, 3], counts: [4, 1, 4] })).toEqual({ size: [3, 3], counts: [4, 1, 4] });
  });

  it('rejects counts that do not sum to h*w, naming both numbers', () => {
    expectRleError(() => parseCompressedRle({ size: [3, 3], counts: '416' }), /RLE counts sum to 11 but size \[3,3\] needs 9/);
    expectRleError(() => decodeRle({ size: [3, 3], counts: [4, 1, 6] }), /sum to 11 but size \[3,3\] needs 9/);
    expectRleError(() => compressRle({ size: [2, 2], counts: [1, 1] }), /sum to 2 but size \[2,2\] needs 4/);
  });

  it('rejects characters outside the alphabet, naming the character and offset', () => {
    expectRleError(() => rleFromString('41p'), /invalid character "p" at offset 2/);
    expectRleError(() => rleFromString('4 4'), /invalid character " " at offset 1/);
    expectRleError(() => decompressRle({ size: [3, 3], counts: '4/4' }), /invalid character "\/" at offset 1/);
  });

  it('rejects a string that ends inside a continuation group', () => {
    // 'b' = 18 + 32: has the "more" bit, so a second group must follow
    expectRleError(() => rleFromString('b'), /truncated: value 0 starting at offset 0/);
    expectRleError(() => parseCompressedRle({ size: [10, 5], counts: '0b' }), /truncated/);
  });

  it('rejects negative runs', () => {
    expectRleError(() => parseUncompressedRle({ size: [3, 3], counts: [4, -1, 6] }), /index 1 is negative \(-1\)/);
    // 'O' alone decodes to -1
    expectRleError(() => rleFromString('O'), /negative run \(-1\) at index 0/);
    // delta at index 3 takes the count below zero: [0, 1, 0, 1 - 6]
    expectRleError(() => rleFromString('010J'), /negative run \(-5\) at index 3/);
    expectRleError(() => rleToString([1, -2]), /index 1 is -2/);
  });

  it('rejects non-integer or malformed sizes and counts', () => {
    expectRleError(
      () => parseCompressedRle({ size: [2.5, 2], counts: '05' }),
      /non-negative integers \[height, width\], got \[2.5,2\]/,
    );
    expectRleError(() => parseCompressedRle({ size: [-1, 2], counts: '0' }), /non-negative integers/);
    expectRleError(() => parseCompressedRle({ size: [3], counts: '9' }), /must be \[height, width\], got \[3\]/);
    expectRleError(() => parseCompressedRle({ size: ['3', '3'], counts: '414' }), /non-negative integers/);
    expectRleError(() => parseCompressedRle({ size: [3, 3], counts: [4, 1, 4] }), /counts must be a string/);
    expectRleError(() => parseCompressedRle({ size: [3, 3] }), /missing "counts"/);
    expectRleError(() => parseCompressedRle(null), /must be an object/);
    expectRleError(() => parseCompressedRle('414'), /must be an object/);
    expectRleError(() => parseUncompressedRle({ size: [3, 3], counts: [4, 1.5, 3.5] }), /index 1 must be an integer, got 1.5/);
    expectRleError(() => parseUncompressedRle({ size: [3, 3], counts: '414' }), /must be an array/);
    expectRleError(() => parseCompressedRle({ size: [70000, 70000], counts: '0' }), /at most 2147483647/);
  });

  it('rejects masks whose data length does not match their shape', () => {
    expectRleError(() => encodeMask({ height: 3, width: 3, data: new Uint8Array(8) }), /8 bytes but 3x3 needs 9/);
  });
});
