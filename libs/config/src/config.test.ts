import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('fills defaults and resolves the blob directory against the working directory', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.API_PORT).toBe(4000);
    expect(config.UPLOAD_MAX_PIXELS).toBe(120_000_000);
    expect(config.blobDir).toBe('/srv/app/.data/blobs');
    expect(config.COOKIE_SECURE).toBe(false);
  });

  it('coerces numbers and booleans from strings', () => {
    const config = loadConfig({ API_PORT: '8080', COOKIE_SECURE: 'true', SESSION_TTL_SECONDS: '60' });
    expect(config).toMatchObject({ API_PORT: 8080, COOKIE_SECURE: true, SESSION_TTL_SECONDS: 60 });
  });

  it('turns the Secure cookie on by default in production, and leaves an explicit choice alone', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).COOKIE_SECURE).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' }).COOKIE_SECURE).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).COOKIE_SECURE).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', COOKIE_SECURE: 'yes' }).COOKIE_SECURE).toBe(true);
  });

  it('reads the allowed origins (PUBLIC_ORIGIN, ALLOWED_ORIGINS) as origins and the trusted proxies as a list', () => {
    const config = loadConfig({ PUBLIC_ORIGIN: 'https://Data.Example.com/', ALLOWED_ORIGINS: ' http://10.0.0.5:3000, https://data.example.com ', TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,fd00::1' });
    expect(config.allowedOrigins).toEqual(['https://data.example.com', 'http://10.0.0.5:3000']);
    expect(config.trustedProxies).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(loadConfig({}).allowedOrigins).toEqual([]);
    expect(loadConfig({}).trustedProxies).toEqual(['loopback']);
  });

  it('refuses an origin with a path and a proxy entry that is no address', () => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://data.example.com/app' })).toThrow(/ALLOWED_ORIGINS: "https:\/\/data.example.com\/app" is not an origin/);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'web-container' })).toThrow(/TRUSTED_PROXIES: "web-container" is not an IP address/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(ConfigError);
  });

  it('keeps blobs on local disk by default; object storage needs a bucket and both keys or none', () => {
    const local = loadConfig({}, '/srv/app');
    expect(local.BLOB_STORE).toBe('local');
    expect(local.blobCacheDir).toBe('/srv/app/.data/blob-cache');
    expect(() => loadConfig({ BLOB_STORE: 's3' })).toThrow(/S3_BUCKET: required when BLOB_STORE=s3/);
    expect(() => loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'data', S3_ACCESS_KEY_ID: 'only-the-id' })).toThrow(/set both or neither/);
    expect(() => loadConfig({ BLOB_STORE: 'gcs' })).toThrow(/BLOB_STORE/);
    const s3 = loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'data', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true', BLOB_CACHE_MAX_BYTES: '1000000' });
    expect(s3).toMatchObject({ S3_BUCKET: 'data', S3_FORCE_PATH_STYLE: true, S3_REGION: 'us-east-1', S3_MAX_ATTEMPTS: 4, S3_PRESIGN_SECONDS: 300, BLOB_CACHE_MAX_BYTES: 1_000_000 });
  });

  it('lists every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'not a url', DATABASE_SCHEMA: 'Bad-Schema' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('API_PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('DATABASE_SCHEMA');
  });
});
