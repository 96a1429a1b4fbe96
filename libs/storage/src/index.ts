export type { BlobStore, BlobStat, StagedBlob, SignedGetOptions, BlobStoreUnavailableReason } from './blob-store';
export { BlobTooLargeError, BlobNotFoundError, BlobStoreUnavailableError, isBlobStoreUnavailableError } from './blob-store';
export { LocalBlobStore } from './local-blob-store';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';
export { assertValidBlobKey, contentKey, InvalidBlobKeyError, MAX_KEY_LENGTH } from './blob-key';
export { BlobCache, type BlobCacheOptions, type BlobCacheStats, type BlobDownload } from './blob-cache';
export {
  isObjectSourceLister,
  listPages,
  parseSourceBlobKey,
  sourceBlobKey,
  SourceAccessDeniedError,
  SourceListingError,
  SOURCE_KEY_ROOT,
  type ObjectSourceLister,
  type SourceListingFailure,
  type SourceObject,
  type SourcePage,
} from './object-source';
