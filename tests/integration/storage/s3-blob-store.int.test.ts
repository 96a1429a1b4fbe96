import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStoreUnavailableError, S3BlobStore, isBlobStoreUnavailableError, type S3BlobStoreOptions } from '@dataengine/storage';
import { blobStoreContract } from '@dataengine/storage/testing';
import { S3_SERVER_CREDENTIALS, startS3Server, type S3Server } from '@dataengine/testing';

let server: S3Server;
let cacheRoot: string;
beforeAll(async () => {
  server = await startS3Server();
  cacheRoot = await mkdtemp(path.join(os.tmpdir(), 's3-cache-'));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await rm(cacheRoot, { recursive: true, force: true });
});

const optionsFor = (overrides: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions => ({
  endpoint: server.endpoint,
  bucket: server.bucket,
  region: 'us-east-1',
  forcePathStyle: true,
  ...S3_SERVER_CREDENTIALS,
  prefix: `t-${randomBytes(4).toString('hex')}`,
  cacheDir: path.join(cacheRoot, randomBytes(4).toString('hex')),
  maxAttempts: 2,
  ...overrides,
});

blobStoreContract('S3BlobStore (s3rver process)', async () => {
  const options = optionsFor({ multipartThresholdBytes: 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 });
  return {
    store: new S3BlobStore(options),
    staged: async () => readdir(path.join(options.cacheDir, 'staging')).catch(() => []),
  };
});

describe('S3BlobStore against a real S3 server', () => {
  it('uploads large artifacts in parts and streams them back', async () => {
    const store = new S3BlobStore(optionsFor({ multipartThresholdBytes: 5 * 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 }));
    const file = path.join(cacheRoot, 'big.bin');
    const bytes = randomBytes(12 * 1024 * 1024 + 5);
    await (await import('node:fs/promises')).writeFile(file, bytes);
    await store.putFile('exports/big.bin', file);
    const chunks: Buffer[] = [];
    for await (const c of await store.createReadStream('exports/big.bin')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('says when the bucket does not exist', async () => {
    const store = new S3BlobStore(optionsFor({ bucket: 'no-such-bucket' }));
    const error = await store.get('a/b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobStoreUnavailableError);
    expect((error as Error).message).toBe(`bucket no-such-bucket does not exist at ${server.endpoint}; create it or fix S3_BUCKET`);
  });

  it('says when the credentials are refused', async () => {
    const store = new S3BlobStore(optionsFor({ secretAccessKey: 'wrong-secret' }));
    const error = await store.put('a/b', 'x').catch((e: unknown) => e);
    expect(isBlobStoreUnavailableError(error)).toBe(true);
    expect((error as BlobStoreUnavailableError).reason).toBe('credentials');
    expect((error as Error).message).toMatch(/S3 refused the credentials .*check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
  });

  it('reports an unreachable store as unavailable, and works again once it is back', async () => {
    const store = new S3BlobStore(optionsFor());
    await store.put('k/v', 'before');
    await server.pause();
    try {
      const error = await store.get('k/v').catch((e: unknown) => e);
      expect(isBlobStoreUnavailableError(error)).toBe(true);
      expect((error as BlobStoreUnavailableError).reason).toBe('unreachable');
      expect((error as Error).message).toMatch(/object storage at .* is unreachable/);
    } finally {
      await server.resume();
    }
    expect((await store.get('k/v')).toString()).toBe('before');
  });

  it('signs URLs for the endpoint browsers use (S3_PUBLIC_ENDPOINT) when it differs', async () => {
    const store = new S3BlobStore(optionsFor({ publicEndpoint: 'https://files.example.test' }));
    const url = new URL(await store.signedGetUrl('images/a.png', { expiresInSeconds: 60 }));
    expect(url.origin).toBe('https://files.example.test');
    expect(url.pathname).toMatch(new RegExp(`^/${server.bucket}/t-[0-9a-f]+/images/a\\.png$`));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    // within one half-lifetime window the URL is the same (browsers cache the bytes under it)
    const windowStart = Math.floor(Date.now() / 30_000) * 30_000;
    const again = await store.signedGetUrl('images/a.png', { expiresInSeconds: 60 });
    if (Math.floor(Date.now() / 30_000) * 30_000 === windowStart) expect(again).toBe(url.href);
    const signedAt = url.searchParams.get('X-Amz-Date')!;
    const signedMs = Date.UTC(+signedAt.slice(0, 4), +signedAt.slice(4, 6) - 1, +signedAt.slice(6, 8), +signedAt.slice(9, 11), +signedAt.slice(11, 13), +signedAt.slice(13, 15));
    expect(signedMs % 30_000).toBe(0);
    expect(Date.now() - signedMs).toBeLessThan(30_000);
  });

  it('signs short-lived GET URLs that serve the bytes, then expire', async () => {
    const store = new S3BlobStore(optionsFor());
    await store.put('embeddings/e.f16', Buffer.from([1, 2, 3, 4]));
    const url = await store.signedGetUrl('embeddings/e.f16', { expiresInSeconds: 1, contentType: 'application/octet-stream' });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await ok.arrayBuffer())]).toEqual([1, 2, 3, 4]);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await fetch(url)).status).toBe(403);
  });
});
