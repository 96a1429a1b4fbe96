import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, createProxyTrust, requestHostOf } from './client-address';

const request = (peer: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress: peer }, headers }) as unknown as IncomingMessage;

describe('createProxyTrust', () => {
  it('knows loopback, private ranges, addresses and CIDR ranges, IPv4 mapped into IPv6 too', () => {
    const loopback = createProxyTrust(['loopback']);
    expect(loopback.trusts('127.0.0.1')).toBe(true);
    expect(loopback.trusts('::ffff:127.0.0.1')).toBe(true);
    expect(loopback.trusts('::1')).toBe(true);
    expect(loopback.trusts('10.0.0.1')).toBe(false);
    const mixed = createProxyTrust(['private', '203.0.113.7', '2001:db8::/32']);
    expect(mixed.trusts('172.20.0.3')).toBe(true);
    expect(mixed.trusts('192.168.1.1')).toBe(true);
    expect(mixed.trusts('203.0.113.7')).toBe(true);
    expect(mixed.trusts('203.0.113.8')).toBe(false);
    expect(mixed.trusts('2001:db8::5')).toBe(true);
    expect(mixed.trusts(undefined)).toBe(false);
  });
});

describe('clientAddressOf', () => {
  const trust = createProxyTrust(['loopback', '10.0.0.2']);
  it('is the peer when the peer is not a trusted proxy (its X-Forwarded-For is ignored)', () => {
    expect(clientAddressOf(request('198.51.100.4', { 'x-forwarded-for': '1.2.3.4' }), trust)).toBe('198.51.100.4');
  });
  it('behind trusted proxies, the rightmost address that is not one of them', () => {
    expect(clientAddressOf(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }), trust)).toBe('203.0.113.9');
    expect(clientAddressOf(request('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.2' }), trust)).toBe('203.0.113.9');
    expect(clientAddressOf(request('::ffff:127.0.0.1', {}), trust)).toBe('127.0.0.1');
    expect(clientAddressOf(request('127.0.0.1', { 'x-forwarded-for': 'garbage' }), trust)).toBe('127.0.0.1');
  });
});

describe('requestHostOf', () => {
  const trust = createProxyTrust(['loopback']);
  it('takes X-Forwarded-Host only from a trusted proxy', () => {
    expect(requestHostOf(request('127.0.0.1', { host: 'api:4000', 'x-forwarded-host': 'app.example.com' }), trust)).toBe('app.example.com');
    expect(requestHostOf(request('198.51.100.4', { host: 'api:4000', 'x-forwarded-host': 'app.example.com' }), trust)).toBe('api:4000');
  });
});
