import { afterEach, describe, expect, it, vi } from 'vitest';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

async function cspWith(env: Record<string, string>): Promise<string> {
  for (const key of ['BLOB_STORE', 'S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT', 'S3_BUCKET', 'S3_REGION']) delete process.env[key];
  Object.assign(process.env, env);
  const { default: config } = await import('./next.config');
  const headers = await config('phase-production-build').headers!();
  return headers[0]!.headers.find((h) => h.key === 'Content-Security-Policy')!.value;
}

describe('the web app\'s Content-Security-Policy', () => {
  it('loads images and fetches only from its own origin with the local store', async () => {
    const csp = await cspWith({});
    expect(csp).toContain("img-src 'self' blob: data:;");
    expect(csp).toMatch(/connect-src 'self' blob: data:;/);
  });

  it('admits the object store\'s public origin with BLOB_STORE=s3 (presigned images and embeddings)', async () => {
    const csp = await cspWith({ BLOB_STORE: 's3', S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'https://files.example.test/some/path' });
    expect(csp).toContain("img-src 'self' blob: data: https://files.example.test;");
    expect(csp).toContain("connect-src 'self' blob: data: https://files.example.test;");
    expect(csp).not.toContain('minio');
    const aws = await cspWith({ BLOB_STORE: 's3', S3_BUCKET: 'data', S3_REGION: 'eu-west-1' });
    expect(aws).toContain("img-src 'self' blob: data: https://data.s3.eu-west-1.amazonaws.com;");
  });
});
