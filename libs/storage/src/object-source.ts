// Objects that live in a bucket of their own, registered in place (no copy): a dataset someone
// already put in object storage. They are addressed by blob keys under `sources/<bucket>/<key>`,
// which the S3 store reads from that bucket and key as they are (no installation prefix) and
// never writes or deletes. Listing them goes page by page, never the whole prefix at once.
import { assertValidBlobKey, InvalidBlobKeyError, MAX_KEY_LENGTH } from './blob-key';

/** The first segment of every in-place blob key. */
export const SOURCE_KEY_ROOT = 'sources';
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Room the download cache adds in front of an in-place key (its ETag directory). */
const CACHE_KEY_ROOM = 64;
/** The longest in-place blob key (sources/<bucket>/<key>). */
export const MAX_SOURCE_KEY_LENGTH = MAX_KEY_LENGTH - CACHE_KEY_ROOM;

export interface SourceObject {
  bucket: string;
  key: string;
}

/** The blob key that reads `key` of `bucket` in place; InvalidBlobKeyError for keys it cannot name. */
export function sourceBlobKey(bucket: string, key: string): string {
  if (!BUCKET.test(bucket)) throw new InvalidBlobKeyError(`${JSON.stringify(bucket)} is not an S3 bucket name (3–63 lower-case letters, digits, "." and "-")`);
  const blobKey = `${SOURCE_KEY_ROOT}/${bucket}/${key}`;
  if (blobKey.length > MAX_SOURCE_KEY_LENGTH) throw new InvalidBlobKeyError(`the key is longer than ${MAX_SOURCE_KEY_LENGTH - SOURCE_KEY_ROOT.length - bucket.length - 2} characters, the most an in-place image can be named by`);
  try {
    assertValidBlobKey(blobKey);
  } catch (error) {
    if (!(error instanceof InvalidBlobKeyError)) throw error;
    const segment = key.split('/').find((s) => !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(s)) ?? key;
    throw new InvalidBlobKeyError(`the key's part ${JSON.stringify(segment)} cannot name an in-place image (each part: letters, digits, "_", "-" and ".", not leading)`);
  }
  return blobKey;
}

/** The bucket and object an in-place blob key names, or null for the store's own keys. */
export function parseSourceBlobKey(blobKey: string): SourceObject | null {
  if (!blobKey.startsWith(`${SOURCE_KEY_ROOT}/`)) return null;
  const rest = blobKey.slice(SOURCE_KEY_ROOT.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** One page of a listing: the objects in key order and the token of the next page (null: the last). */
export interface SourcePage {
  objects: { key: string; size: number }[];
  nextToken: string | null;
}

export type SourceListingFailure = 'bucket-missing' | 'access-denied';

/** A listing the store refused: the bucket is not there, or the credentials may not list it. */
export class SourceListingError extends Error {
  override readonly name = 'SourceListingError';
  constructor(
    message: string,
    readonly reason: SourceListingFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The store refused to read an in-place object (its credentials may not read that bucket or key). */
export class SourceAccessDeniedError extends Error {
  override readonly name = 'SourceAccessDeniedError';
  constructor(
    message: string,
    readonly blobKey: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A store that can list buckets besides its own, page by page (S3). The local store cannot. */
export interface ObjectSourceLister {
  /** The store's own bucket: the default source. */
  readonly bucket: string;
  listSourcePage(input: { bucket: string; prefix: string; token: string | null; maxKeys: number }): Promise<SourcePage>;
}

/**
 * Walks a listing page by page from `startToken` (null: the first page), holding one page at a
 * time. Each page comes with the token that continues after it, so a caller can record it and
 * resume there. A server that ignores the token (and so hands the same one back) would loop
 * forever: that stops with an error instead.
 */
export async function* listPages(fetchPage: (token: string | null) => Promise<SourcePage>, startToken: string | null = null): AsyncGenerator<SourcePage> {
  let token = startToken;
  for (;;) {
    const page = await fetchPage(token);
    yield page;
    if (page.nextToken === null) return;
    // a server that ignores the token starts over and hands the same one back
    if (page.nextToken === token) throw new Error(`the object store returned the continuation token ${JSON.stringify(page.nextToken.slice(0, 40))} twice; it does not page listings correctly`);
    token = page.nextToken;
  }
}

export function isObjectSourceLister(store: object): store is ObjectSourceLister {
  return typeof (store as Partial<ObjectSourceLister>).listSourcePage === 'function';
}
