import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from './float16';

describe('float16', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [0.1, 0x2e66],
    [6.103515625e-5, 0x0400], // smallest normal
    [5.960464477539063e-8, 0x0001], // smallest subnormal
    [1e6, 0x7c00], // overflow → +Inf
    [Infinity, 0x7c00],
  ])('encodes %f as %s', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });

  it('rounds to nearest even and keeps NaN', () => {
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway → even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true);
  });

  it('round-trips embeddings within half-precision error', () => {
    const values = new Float32Array(4096).map((_, i) => Math.sin(i * 0.37) * 3 + (i % 7) * 0.01);
    const back = float16ToFloat32(float32ToFloat16(values));
    for (let i = 0; i < values.length; i++) expect(Math.abs(back[i]! - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 2 ** -11 + 2 ** -24);
  });
});
