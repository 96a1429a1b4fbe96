import { describe, expect, it } from 'vitest';
import { generatePassword } from './generate-password';

describe('generatePassword', () => {
  it('gives 20 characters from the unambiguous alphabet, different each time', () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(a).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(a).not.toBe(b);
  });

  it('draws again for bytes that would bias the alphabet', () => {
    // 57 letters: bytes 228..255 are rejected, so a source of only 255s then 0s yields only 'A'
    let call = 0;
    const source = (bytes: Uint8Array) => bytes.fill(call++ === 0 ? 255 : 0);
    expect(generatePassword(8, source)).toBe('AAAAAAAA');
    expect(call).toBe(2);
  });
});
