import { describe, expect, it } from 'vitest';
import { checkSameOrigin, type OriginFacts } from './same-origin';

const facts = (headers: Record<string, string>, over: Partial<OriginFacts> = {}): OriginFacts => ({
  method: 'POST',
  headers,
  requestHost: 'app.example.com',
  allowedOrigins: [],
  ...over,
});
const allowed = (f: OriginFacts) => checkSameOrigin(f).allowed;

describe('checkSameOrigin', () => {
  it('never stands in the way of GET, HEAD and OPTIONS', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) expect(allowed(facts({ 'sec-fetch-site': 'cross-site' }, { method }))).toBe(true);
  });

  it('follows Sec-Fetch-Site when the browser sends it', () => {
    expect(allowed(facts({ 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(allowed(facts({ 'sec-fetch-site': 'none' }))).toBe(true);
    expect(allowed(facts({ 'sec-fetch-site': 'same-site' }))).toBe(false);
    expect(allowed(facts({ 'sec-fetch-site': 'cross-site' }))).toBe(false);
    // Sec-Fetch-Site wins over an Origin that happens to name the host
    expect(allowed(facts({ 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' }))).toBe(false);
  });

  it('without it, compares the Origin host (port included) with the host addressed', () => {
    expect(allowed(facts({ origin: 'https://app.example.com' }))).toBe(true);
    expect(allowed(facts({ origin: 'http://APP.example.com' }))).toBe(true);
    expect(allowed(facts({ origin: 'https://app.example.com:8443' }))).toBe(false);
    expect(allowed(facts({ origin: 'https://app.example.com.evil.example' }))).toBe(false);
    expect(allowed(facts({ origin: 'null' }))).toBe(false);
    expect(allowed(facts({ origin: 'not a url' }))).toBe(false);
    expect(allowed(facts({ origin: 'https://app.example.com' }, { requestHost: null }))).toBe(false);
  });

  it('accepts configured origins whatever the fetch site, exactly', () => {
    const f = (origin: string) => facts({ origin, 'sec-fetch-site': 'cross-site' }, { allowedOrigins: ['https://data.example.com'] });
    expect(allowed(f('https://data.example.com'))).toBe(true);
    expect(allowed(f('http://data.example.com'))).toBe(false);
  });

  it('accepts a request with neither header (a program, not a browser)', () => {
    expect(allowed(facts({}))).toBe(true);
  });

  it('says why it refused and what to do', () => {
    const verdict = checkSameOrigin(facts({ 'sec-fetch-site': 'same-site', origin: 'http://app.example.com:9999' }));
    expect(verdict).toEqual({
      allowed: false,
      reason:
        'cross-origin request refused: this request came from a page of another origin on the same site (http://app.example.com:9999); ' +
        "state-changing requests are accepted only from pages of this Data Engine installation; open the app at its own address, or (operators) add the page's origin to ALLOWED_ORIGINS",
    });
  });
});
