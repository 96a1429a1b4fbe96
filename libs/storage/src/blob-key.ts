// Blob keys are relative, slash-separated names. Anything that could escape the store's root
// (absolute paths, "..", backslashes, NUL, empty segments) is refused before it reaches the disk.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
export const MAX_KEY_LENGTH = 512;

export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError';
}

export function assertValidBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidBlobKeyError('blob key is empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidBlobKeyError(`blob key is longer than ${MAX_KEY_LENGTH} characters`);
  const segments = key.split('/');
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new InvalidBlobKeyError(`blob key ${JSON.stringify(key)} has an invalid segment ${JSON.stringify(segment)}: use letters, digits, "_", "-" and "." (not leading)`);
    }
  }
}

/** Key of a content-addressed blob: `<kind>/<h0h1>/<h2h3>/<sha256><ext>`. */
export function contentKey(kind: string, sha256: string, ext = ''): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new InvalidBlobKeyError(`not a sha-256 hex digest: ${sha256}`);
  const key = `${kind}/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}${ext}`;
  assertValidBlobKey(key);
  return key;
}
