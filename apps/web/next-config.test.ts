import { describe, expect, it } from 'vitest';
import config from './next.config';

describe('the web app\'s fixed headers (next.config)', () => {
  it('isolate every page and keep it out of frames, and leave the Content-Security-Policy to proxy.ts', async () => {
    const headers = await config().headers!();
    const keys = headers[0]!.headers.map((h) => h.key);
    expect(headers[0]!.source).toBe('/:path*');
    expect(keys).toEqual(expect.arrayContaining(['Cross-Origin-Opener-Policy', 'Cross-Origin-Embedder-Policy', 'X-Frame-Options', 'X-Content-Type-Options', 'Referrer-Policy']));
    // a second policy here would be enforced too, and it could not name the store's run-time origin
    expect(keys).not.toContain('Content-Security-Policy');
  });
});
