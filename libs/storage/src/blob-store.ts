import type { Readable } from 'node:stream';

export interface BlobStat {
  size: number;
  modifiedAt: Date;
}

/** Bytes received into the store's staging area, hashed, not yet visible under any key. */
export interface StagedBlob {
  readonly sha256: string;
  readonly size: number;
  /** Local path of the staged bytes, for validation (decoding) before commit. */
  readonly path: string;
  /** Atomically publishes the bytes under `key` (no-op when the key already holds them). */
  commit(key: string): Promise<void>;
  discard(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  override readonly name = 'BlobTooLargeError';
  constructor(readonly limit: number) {
    super(`the upload is larger than the limit of ${limit} bytes`);
  }
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly key: string) {
    super(`no blob at ${key}`);
  }
}

export type BlobStoreUnavailableReason = 'unreachable' | 'bucket-missing' | 'credentials';

/**
 * The store cannot serve requests right now (object storage unreachable, its bucket missing or its
 * credentials refused): callers answer 503 and jobs retry; nothing is lost.
 */
export class BlobStoreUnavailableError extends Error {
  override readonly name = 'BlobStoreUnavailableError';
  constructor(
    message: string,
    readonly reason: BlobStoreUnavailableReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isBlobStoreUnavailableError(error: unknown): error is BlobStoreUnavailableError {
  return error instanceof BlobStoreUnavailableError || (error instanceof Error && error.name === 'BlobStoreUnavailableError');
}

/** Options of a presigned GET (see BlobStore.signedGetUrl). */
export interface SignedGetOptions {
  /** Lifetime of the URL; short (a minute or a few) so a leaked URL is soon useless. */
  expiresInSeconds: number;
  /** Content-Type the store answers with (the stored object may not carry one). */
  contentType?: string;
  /** Cache-Control the store answers with. */
  cacheControl?: string;
}

/**
 * Where images, thumbnails, embeddings, checkpoint bundles and exports live (never in Postgres).
 * Writes are atomic: a reader sees the old bytes or the new ones, never a partial file.
 */
export interface BlobStore {
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** Copies a local file in (streamed: checkpoint bundles can be gigabytes). */
  putFile(key: string, sourcePath: string): Promise<void>;
  /**
   * A local path holding the blob's bytes, for libraries that need a file (onnxruntime sessions):
   * the stored file itself for the local driver, a cached download for remote drivers.
   */
  localPath(key: string): Promise<string>;
  get(key: string): Promise<Buffer>;
  /** Byte range is inclusive, as in HTTP Range. */
  createReadStream(key: string, range?: { start: number; end: number }): Promise<Readable>;
  stat(key: string): Promise<BlobStat | null>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
  /** Streams bytes into staging while hashing them; fails with BlobTooLargeError past maxBytes. */
  stage(source: Readable, options?: { maxBytes?: number }): Promise<StagedBlob>;
  /**
   * A short-lived URL a browser can GET the blob from directly, for stores that can sign URLs
   * (S3); absent on stores that serve through the API (local disk).
   */
  signedGetUrl?(key: string, options: SignedGetOptions): Promise<string>;
  /**
   * Keeps the local copies `localPath` made of `keys` from eviction until the returned release is
   * called (the bundle a worker has sessions on); stores without a local cache omit it.
   */
  pin?(keys: string[]): () => void;
  /** Asks a remote store whether it answers (bucket there, credentials accepted); absent on local disk. */
  ping?(): Promise<void>;
}
