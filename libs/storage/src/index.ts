export type { BlobStore, BlobStat, StagedBlob } from './blob-store';
export { BlobTooLargeError, BlobNotFoundError } from './blob-store';
export { LocalBlobStore } from './local-blob-store';
export { assertValidBlobKey, contentKey, InvalidBlobKeyError, MAX_KEY_LENGTH } from './blob-key';
