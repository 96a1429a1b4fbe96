/** Thrown for malformed RLE input or masks whose shape does not match their data. */
export class RleError extends Error {
  override readonly name = 'RleError';
}
