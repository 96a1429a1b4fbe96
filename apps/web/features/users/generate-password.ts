// A password for a new account or a reset: 20 characters from the browser's CSPRNG (about 119
// bits), letters and digits only so it survives being read out or pasted into a chat.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function generatePassword(length = 20, random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  let out = '';
  // rejection sampling: bytes at or above the largest multiple of the alphabet's size are drawn
  // again, so every character is equally likely
  const limit = 256 - (256 % ALPHABET.length);
  while (out.length < length) {
    for (const byte of random(new Uint8Array(length * 2))) {
      if (byte < limit) out += ALPHABET[byte % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}
