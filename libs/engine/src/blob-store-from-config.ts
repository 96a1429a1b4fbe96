import type { AppConfig } from '@dataengine/config';
import { LocalBlobStore, S3BlobStore, type BlobStore } from '@dataengine/storage';

/** The blob store the configuration names: BLOB_DIR on local disk, or an S3-compatible bucket. */
export function createBlobStore(config: AppConfig): BlobStore {
  if (config.BLOB_STORE === 'local') return new LocalBlobStore(config.blobDir);
  return new S3BlobStore({
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET!, // loadConfig refuses BLOB_STORE=s3 without it
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    prefix: config.S3_PREFIX,
    maxAttempts: config.S3_MAX_ATTEMPTS,
    publicEndpoint: config.S3_PUBLIC_ENDPOINT,
    cacheDir: config.blobCacheDir,
    cacheMaxBytes: config.BLOB_CACHE_MAX_BYTES,
  });
}
