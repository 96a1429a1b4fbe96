import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, isNullBodyStatus, upstreamRequestHeaders } from './proxy-headers';

describe('upstreamRequestHeaders', () => {
  it('keeps the cookie and content headers, drops hop-by-hop ones, host and expect', () => {
    const incoming = new Headers({
      host: 'web.local:3000',
      cookie: 'de_session=abc',
      'content-type': 'application/octet-stream',
      'content-length': '20000000',
      connection: 'keep-alive, x-private-hop',
      'x-private-hop': '1',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      expect: '100-continue',
      'accept-encoding': 'gzip, br',
    });
    const out = upstreamRequestHeaders(incoming, { host: 'web.local:3000', proto: 'http' });
    expect(Object.fromEntries(out)).toEqual({
      cookie: 'de_session=abc',
      'content-type': 'application/octet-stream',
      'content-length': '20000000',
      'accept-encoding': 'identity',
      'x-forwarded-host': 'web.local:3000',
      'x-forwarded-proto': 'http',
    });
  });

  it('does not overwrite forwarding headers set by a proxy in front', () => {
    const out = upstreamRequestHeaders(new Headers({ 'x-forwarded-host': 'public.example', 'x-forwarded-proto': 'https' }), { host: 'internal:3000', proto: 'http' });
    expect(out.get('x-forwarded-host')).toBe('public.example');
    expect(out.get('x-forwarded-proto')).toBe('https');
  });
});

describe('downstreamResponseHeaders', () => {
  it('passes every set-cookie separately, with cache and content headers', () => {
    const upstream = new Headers();
    upstream.append('set-cookie', 'de_session=1; Path=/; HttpOnly');
    upstream.append('set-cookie', 'other=2; Path=/');
    upstream.set('content-type', 'image/webp');
    upstream.set('content-length', '1234');
    upstream.set('cache-control', 'private, max-age=31536000, immutable');
    upstream.set('etag', '"abc-thumbnail"');
    upstream.set('transfer-encoding', 'chunked');
    const out = downstreamResponseHeaders(upstream);
    expect(out.getSetCookie()).toEqual(['de_session=1; Path=/; HttpOnly', 'other=2; Path=/']);
    expect(out.get('content-length')).toBe('1234');
    expect(out.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(out.get('etag')).toBe('"abc-thumbnail"');
    expect(out.has('transfer-encoding')).toBe(false);
  });

  it('drops content-encoding and content-length of a body fetch has already decoded', () => {
    const out = downstreamResponseHeaders(new Headers({ 'content-encoding': 'gzip', 'content-length': '99', 'content-type': 'application/json' }));
    expect(out.has('content-encoding')).toBe(false);
    expect(out.has('content-length')).toBe(false);
    expect(out.get('content-type')).toBe('application/json');
  });
});

describe('isNullBodyStatus', () => {
  it('is true exactly for statuses a Response may not carry a body with', () => {
    expect([101, 103, 204, 205, 304].every(isNullBodyStatus)).toBe(true);
    expect([200, 201, 400, 401, 403, 415, 502].some(isNullBodyStatus)).toBe(false);
  });
});
