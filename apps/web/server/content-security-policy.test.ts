import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, objectStoreOrigin, type ObjectStoreSettings } from './content-security-policy';

const local: ObjectStoreSettings = { BLOB_STORE: 'local', S3_REGION: 'us-east-1' };
const csp = (settings: ObjectStoreSettings, dev = false) => contentSecurityPolicy({ dev, objectStoreOrigin: objectStoreOrigin(settings) });

describe('the web app\'s Content-Security-Policy', () => {
  it('loads images and fetches only from its own origin with the local store', () => {
    const policy = csp(local);
    expect(policy).toContain("img-src 'self' blob: data:;");
    expect(policy).toMatch(/connect-src 'self' blob: data:;/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("'unsafe-eval'");
    // the S3 settings mean nothing while the store is local
    expect(csp({ ...local, S3_ENDPOINT: 'http://minio:9000' })).toBe(policy);
  });

  it('admits the object store\'s public origin with BLOB_STORE=s3 (presigned images and embeddings)', () => {
    const policy = csp({ BLOB_STORE: 's3', S3_REGION: 'us-east-1', S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'https://files.example.test/some/path' });
    expect(policy).toContain("img-src 'self' blob: data: https://files.example.test;");
    expect(policy).toContain("connect-src 'self' blob: data: https://files.example.test;");
    expect(policy).not.toContain('minio');
    expect(csp({ BLOB_STORE: 's3', S3_REGION: 'us-east-1', S3_ENDPOINT: 'http://127.0.0.1:9000' })).toContain("img-src 'self' blob: data: http://127.0.0.1:9000;");
    expect(csp({ BLOB_STORE: 's3', S3_BUCKET: 'data', S3_REGION: 'eu-west-1' })).toContain("img-src 'self' blob: data: https://data.s3.eu-west-1.amazonaws.com;");
  });

  it('lets next dev evaluate code and open its websocket', () => {
    const policy = csp(local, true);
    expect(policy).toContain("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' 'unsafe-eval';");
    expect(policy).toContain("connect-src 'self' blob: data: ws: wss:;");
  });
});
