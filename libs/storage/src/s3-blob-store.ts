import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlobCache } from './blob-cache';
import { assertValidBlobKey } from './blob-key';
import { streamToStagingFile } from './stage-file';
import { parseSourceBlobKey, SourceAccessDeniedError, SourceListingError, type ObjectSourceLister, type SourcePage } from './object-source';
import {
  BlobNotFoundError,
  BlobStoreUnavailableError,
  type BlobStat,
  type BlobStore,
  type SignedGetOptions,
  type StagedBlob,
} from './blob-store';

export interface S3BlobStoreOptions {
  /** S3 API endpoint (MinIO, Ceph radosgw, R2…); unset: AWS for `region`. */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (endpoint/bucket/key), which most self-hosted servers need. */
  forcePathStyle?: boolean;
  /** Prefix of every object key, so several installations can share a bucket (e.g. `dataengine/`). */
  prefix?: string;
  /** Local directory for staged uploads and the download cache (localPath). */
  cacheDir: string;
  /** Upper bound of the download cache in bytes; unset: no bound. */
  cacheMaxBytes?: number;
  /** Attempts per request (first try included) before an error reaches the caller. Default 4. */
  maxAttempts?: number;
  /** Endpoint browsers use for presigned URLs, when it differs from `endpoint` (a public host name). */
  publicEndpoint?: string;
  /** Artifacts at or above this size go up as a multipart upload. Default 16 MiB. */
  multipartThresholdBytes?: number;
  /** Part size of multipart uploads (S3's minimum is 5 MiB). Default 8 MiB. */
  partSizeBytes?: number;
}

const NOT_FOUND = new Set(['NotFound', 'NoSuchKey']);
/** Where the download cache keeps copies of objects registered in place, by ETag. */
const SOURCE_VERSIONS_ROOT = 'source-versions';
const CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'AuthorizationHeaderMalformed', 'CredentialsProviderError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const statusOf = (error: unknown) => (error as SdkError | null)?.$metadata?.httpStatusCode;

/**
 * Objects in an S3-compatible bucket. Same keys and semantics as the local store: puts are atomic
 * (S3 publishes an object whole), content-addressed keys commit once, bytes stream both ways
 * (multipart uploads for large artifacts), and `localPath` serves a cached download for libraries
 * that need a file. Errors: BlobNotFoundError for a missing key, BlobStoreUnavailableError when
 * the store is unreachable (after the SDK's retries with backoff), its bucket missing or its
 * credentials refused. Keys under `sources/<bucket>/` read registered objects in place, from
 * their own bucket and key (object-source.ts); they are never written or deleted.
 */
export class S3BlobStore implements BlobStore, ObjectSourceLister {
  readonly client: S3Client;
  readonly bucket: string;
  readonly cache: BlobCache;
  private readonly prefix: string;
  private readonly staging: string;
  private readonly where: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly presignClient: S3Client;
  private bucketChecked: Promise<void> | null = null;

  constructor(options: S3BlobStoreOptions) {
    const config: S3ClientConfig = {
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      maxAttempts: options.maxAttempts ?? 4,
      retryMode: 'standard',
      // self-hosted servers (Ceph, MinIO releases, s3rver) do not all speak the newer CRC trailers
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      ...(options.accessKeyId && options.secretAccessKey ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {}),
    };
    this.client = new S3Client(config);
    if (options.forcePathStyle) {
      // bucket-level requests (listings) as `/bucket?…` rather than `/bucket/?…`: both are valid
      // path-style S3, and some self-hosted servers sign only the former
      this.client.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { path?: string };
          if (typeof request.path === 'string' && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
          return next(args);
        },
        { step: 'build', name: 'bucketPathWithoutTrailingSlash' },
      );
    }
    this.presignClient = options.publicEndpoint && options.publicEndpoint !== options.endpoint ? new S3Client({ ...config, endpoint: options.publicEndpoint }) : this.client;
    this.bucket = options.bucket;
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = prefix ? `${prefix}/` : '';
    this.where = `${options.endpoint ?? `AWS S3 (${options.region})`}`;
    this.cache = new BlobCache({ dir: path.join(options.cacheDir, 'objects'), maxBytes: options.cacheMaxBytes });
    this.staging = path.join(options.cacheDir, 'staging');
    this.multipartThreshold = options.multipartThresholdBytes ?? 16 * 1024 * 1024;
    this.partSize = Math.max(options.partSizeBytes ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
  }

  private objectKey(key: string): string {
    assertValidBlobKey(key);
    if (parseSourceBlobKey(key)) throw new Error(`blob key ${key} names an object registered in place; those are read-only`);
    return this.prefix + key;
  }

  /** Bucket and object key a blob key reads: the store's own, or a registered object in place. */
  private locate(key: string): { Bucket: string; Key: string } {
    assertValidBlobKey(key);
    const source = parseSourceBlobKey(key);
    return source ? { Bucket: source.bucket, Key: source.key } : { Bucket: this.bucket, Key: this.prefix + key };
  }

  /** Translates SDK failures into the store's errors; `key` makes a 404 a BlobNotFoundError. */
  private translate(error: unknown, key?: string): Error {
    const e = (error ?? {}) as SdkError;
    const status = statusOf(error);
    const source = key !== undefined ? parseSourceBlobKey(key) : null;
    if (source) {
      // an object registered in place: its bucket gone is the object gone; a refusal concerns that
      // bucket, not the store's own credentials
      if (e.name === 'NoSuchBucket' || NOT_FOUND.has(e.name ?? '') || status === 404) return new BlobNotFoundError(key!);
      if (e.name === 'AccessDenied' || status === 403) {
        return new SourceAccessDeniedError(`object storage at ${this.where} refused to read s3://${source.bucket}/${source.key} (${e.name ?? status}); give the platform's S3 credentials read access to it`, key!, { cause: error });
      }
    }
    if (e.name === 'NoSuchBucket') {
      this.bucketChecked = null;
      return this.bucketMissing(error);
    }
    if (key !== undefined && (NOT_FOUND.has(e.name ?? '') || status === 404)) return new BlobNotFoundError(key);
    if (CREDENTIALS.has(e.name ?? '') || status === 403) {
      return new BlobStoreUnavailableError(
        `S3 refused the credentials for bucket ${this.bucket} at ${this.where} (${e.name ?? status}: ${e.message ?? ''}); check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (and that the key may read and write the bucket)`,
        'credentials',
        { cause: error },
      );
    }
    if (NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.name ?? '') || e.name === 'TimeoutError' || e.name === 'AbortError' || (status !== undefined && status >= 500) || /socket hang up|ECONNREFUSED|ECONNRESET|timed? ?out/i.test(e.message ?? '')) {
      return new BlobStoreUnavailableError(`object storage at ${this.where} is unreachable (${e.code ?? e.name ?? status}: ${e.message ?? ''}); try again shortly — nothing stored is lost`, 'unreachable', { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private bucketMissing(cause: unknown): BlobStoreUnavailableError {
    return new BlobStoreUnavailableError(`bucket ${this.bucket} does not exist at ${this.where}; create it or fix S3_BUCKET`, 'bucket-missing', { cause });
  }

  /**
   * Checks once that the bucket exists and the credentials work, so the first failing request
   * says which; a failure is not remembered (the next call checks again).
   */
  check(): Promise<void> {
    // a one-key listing rather than HeadBucket: every S3 server implements it, and its error body
    // names the problem (NoSuchBucket, InvalidAccessKeyId…) where a HEAD answer has none
    this.bucketChecked ??= this.client
      // under a prefix no key can have (keys never start with "."): the answer is never truncated,
      // which some servers (s3rver) fail to page
      .send(new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1, Prefix: `${this.prefix}.bucket-check` }))
      .then(() => undefined)
      .catch((error: unknown) => {
        this.bucketChecked = null;
        if (statusOf(error) === 404 || (error as SdkError).name === 'NotFound' || (error as SdkError).name === 'NoSuchBucket') throw this.bucketMissing(error);
        throw this.translate(error);
      });
    return this.bucketChecked;
  }

  /** A fresh check of the bucket and credentials (readiness probes), not the remembered one. */
  async ping(): Promise<void> {
    this.bucketChecked = null;
    await this.check();
  }

  private async run<T>(key: string | undefined, action: () => Promise<T>): Promise<T> {
    await this.check();
    try {
      return await action();
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const Key = this.objectKey(key);
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    await this.run(undefined, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.byteLength })));
  }

  async putFile(key: string, sourcePath: string, metadata?: Record<string, string>): Promise<void> {
    const Key = this.objectKey(key);
    const { size } = await stat(sourcePath);
    await this.run(undefined, async () => {
      if (size < this.multipartThreshold) {
        // a single PUT streamed from the file (its length is known, so no buffering)
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: createReadStream(sourcePath), ContentLength: size, Metadata: metadata }));
        return;
      }
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key, Body: createReadStream(sourcePath), Metadata: metadata },
        partSize: this.partSize,
        queueSize: 4,
        leavePartsOnError: false,
      });
      await upload.done();
    });
  }

  private async getObject(key: string, range?: { start: number; end: number }) {
    const { Bucket, Key } = this.locate(key);
    return this.run(key, () => this.client.send(new GetObjectCommand({ Bucket, Key, Range: range ? `bytes=${range.start}-${range.end}` : undefined })));
  }

  async localPath(key: string): Promise<string> {
    this.locate(key);
    if (parseSourceBlobKey(key)) return this.sourceLocalPath(key);
    return this.cache.path(key, async (temp) => {
      const object = await this.getObject(key);
      try {
        await pipeline(object.Body as Readable, createWriteStream(temp));
      } catch (error) {
        throw this.translate(error, key);
      }
    });
  }

  /**
   * An object registered in place can be replaced or deleted behind the platform's back, so its
   * cached copy is keyed by the object's ETag (asked with a HEAD each time): a deleted object is a
   * BlobNotFoundError even when a copy is cached, a replaced one is downloaded again, and the GET
   * is conditional on the ETag the HEAD saw.
   */
  private async sourceLocalPath(key: string): Promise<string> {
    const { Bucket, Key } = this.locate(key);
    const head = await this.run(key, () => this.client.send(new HeadObjectCommand({ Bucket, Key })));
    const version = (head.ETag ?? '').replace(/[^A-Za-z0-9_-]/g, '') || 'unversioned';
    return this.cache.path(`${SOURCE_VERSIONS_ROOT}/${version}/${key}`, async (temp) => {
      const object = await this.run(key, () => this.client.send(new GetObjectCommand({ Bucket, Key, IfMatch: head.ETag })));
      try {
        await pipeline(object.Body as Readable, createWriteStream(temp));
      } catch (error) {
        throw this.translate(error, key);
      }
    });
  }

  pin(keys: string[]): () => void {
    return this.cache.pin(keys);
  }

  async get(key: string): Promise<Buffer> {
    const object = await this.getObject(key);
    try {
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async createReadStream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    if (range && range.end < range.start) return Readable.from([]);
    const object = await this.getObject(key, range);
    return object.Body as Readable;
  }

  async stat(key: string): Promise<BlobStat | null> {
    const head = await this.head(key);
    return head && { size: head.size, modifiedAt: head.modifiedAt };
  }

  private async head(key: string): Promise<(BlobStat & { sha256?: string }) | null> {
    const { Bucket, Key } = this.locate(key);
    try {
      const head = await this.run(key, () => this.client.send(new HeadObjectCommand({ Bucket, Key })));
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0), sha256: head.Metadata?.sha256 };
    } catch (error) {
      if (error instanceof BlobNotFoundError) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    await this.run(undefined, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })));
  }

  async list(prefix: string): Promise<string[]> {
    const trimmed = prefix.replace(/\/+$/, '');
    if (trimmed) assertValidBlobKey(trimmed);
    const Prefix = this.prefix + (trimmed ? `${trimmed}/` : '');
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.run(undefined, () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken: token })));
      for (const object of page.Contents ?? []) if (object.Key) out.push(object.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  /**
   * One page of any bucket's listing (raw keys, no installation prefix), for registering objects in
   * place. A missing bucket or a refusal is a SourceListingError that names the bucket.
   */
  async listSourcePage(input: { bucket: string; prefix: string; token: string | null; maxKeys: number }): Promise<SourcePage> {
    let page;
    try {
      page = await this.client.send(new ListObjectsV2Command({ Bucket: input.bucket, Prefix: input.prefix, MaxKeys: input.maxKeys, ContinuationToken: input.token ?? undefined }));
    } catch (error) {
      const e = (error ?? {}) as SdkError;
      const status = statusOf(error);
      if (e.name === 'NoSuchBucket' || status === 404) throw new SourceListingError(`bucket ${input.bucket} does not exist at ${this.where}; check the bucket name`, 'bucket-missing', { cause: error });
      if (e.name === 'AccessDenied' || status === 403) throw new SourceListingError(`object storage at ${this.where} refused to list bucket ${input.bucket} (${e.name ?? status}); give the platform's S3 credentials s3:ListBucket and s3:GetObject on it`, 'access-denied', { cause: error });
      throw this.translate(error);
    }
    const nextToken = page.IsTruncated ? (page.NextContinuationToken ?? null) : null;
    if (page.IsTruncated && !nextToken) throw new Error(`object storage at ${this.where} said the listing of s3://${input.bucket}/${input.prefix} goes on but gave no continuation token`);
    return {
      objects: (page.Contents ?? []).filter((o) => o.Key !== undefined).map((o) => ({ key: o.Key!, size: o.Size ?? 0 })),
      nextToken,
    };
  }

  async stage(source: Readable, options: { maxBytes?: number } = {}): Promise<StagedBlob> {
    await mkdir(this.staging, { recursive: true });
    const temp = path.join(this.staging, `${randomUUID()}.tmp`);
    const { sha256, size } = await streamToStagingFile(source, temp, options.maxBytes);
    let settled = false;
    return {
      sha256,
      size,
      path: temp,
      commit: async (key: string) => {
        if (settled) throw new Error('staged blob already committed or discarded');
        // on failure the staged bytes stay, for another commit attempt or discard()
        const existing = await this.head(key);
        // the key already holds these bytes (content-addressed keys): nothing to upload
        if (!(existing && existing.size === size && (existing.sha256 === undefined || existing.sha256 === sha256))) {
          await this.putFile(key, temp, { sha256 });
        }
        settled = true;
        await rm(temp, { force: true });
      },
      discard: async () => {
        settled = true;
        await rm(temp, { force: true });
      },
    };
  }

  /**
   * Signed as of the start of the current half-lifetime window, so every request for a key within
   * that window gets the same URL (the browser's cache keeps the bytes) and it stays valid for at
   * least half its lifetime after it is handed out.
   */
  async signedGetUrl(key: string, options: SignedGetOptions): Promise<string> {
    const { Bucket, Key } = this.locate(key);
    const windowMs = Math.floor(options.expiresInSeconds / 2) * 1000;
    const now = Date.now();
    const signingDate = new Date(windowMs > 0 ? now - (now % windowMs) : now);
    return getSignedUrl(
      this.presignClient,
      new GetObjectCommand({ Bucket, Key, ResponseContentType: options.contentType, ResponseCacheControl: options.cacheControl }),
      { expiresIn: options.expiresInSeconds, signingDate },
    );
  }
}
